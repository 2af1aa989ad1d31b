namespace GeoGrains;

/// <summary>
/// The grain's owner region lost the grain while a <see cref="ReplicationMode.SemiSync"/> or
/// <see cref="ReplicationMode.Sync"/> write waited for other regions to apply it: another region took the grain over
/// (after a failure, a drain, a restore or a rehome), or the owner's lease lapsed, so the acknowledgements it had could
/// no longer promise that the write survives. The write was <em>not</em> acknowledged.
/// </summary>
/// <remarks>
/// The version is stored in the old owner region. If the new owner continued from a copy that has it, it is part of the
/// grain's state; if not, it comes back as an orphaned version when the regions reconnect and is reconciled (the grain's
/// <c>OnReconcile</c> hook, recorded in the conflict feed), never silently dropped. Read the grain at <c>Strong</c> to see
/// which; a retry with the same idempotency key is applied at most once.
/// </remarks>
[GenerateSerializer]
public sealed class OwnershipLostException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    public OwnershipLostException(string grain, RegionId region, long epoch, long version, string reason)
        : base($"Region '{region}' lost geo grain '{grain}' while its write (epoch {epoch}, version {version}) waited for other regions to apply it ({reason}); " +
               "the write was not acknowledged. It is stored in that region and is either in the new owner's state or reconciled as an orphaned version.")
    {
        Grain = grain;
        Region = region;
        Epoch = epoch;
        Version = version;
    }

    /// <summary>The grain written.</summary>
    [Id(0)]
    public string Grain { get; }

    /// <summary>The region that owned the grain when the write was stored.</summary>
    [Id(1)]
    public RegionId Region { get; }

    /// <summary>The epoch the write was stored under.</summary>
    [Id(2)]
    public long Epoch { get; }

    /// <summary>The version stored.</summary>
    [Id(3)]
    public long Version { get; }
}
