using Orleans.Concurrency;

namespace GeoGrains;

/// <summary>
/// Implemented by every geo grain (through <c>GeoGrain&lt;TState&gt;</c>): where it stands in this region. Calls are
/// served by the activation in the region that receives them, never forwarded. Reach it with
/// <c>grain.AsReference&lt;IGeoGrainControl&gt;()</c>.
/// </summary>
public interface IGeoGrainControl : IGrain
{
    /// <summary>This region's view of the grain: its version here and who owns it.</summary>
    [ReadOnly]
    Task<GeoGrainStatus> GetGeoStatus();

    /// <summary>Hands ownership to <paramref name="newOwner"/>; called by <see cref="IGeoAdminGrain.Rehome"/> on the current owner.</summary>
    /// <exception cref="OwnershipMovedException">This region does not own the grain.</exception>
    Task<GrainOwnership> HandOff(RegionId newOwner);

    /// <summary>
    /// Reconciles <paramref name="orphaned"/>, a version of this grain that a region taken over after it failed had
    /// acknowledged but not shipped, with the grain's current state: runs the grain's reconcile hook under its write lock,
    /// commits the hook's state (if any) as a new version and records the outcome, once per orphaned version. Called by
    /// the replication receiver of the owner region when such a version arrives; a version that is part of the grain's
    /// history, or already reconciled, changes nothing.
    /// </summary>
    /// <returns>The record of <paramref name="orphaned"/> (made now or before), or <see langword="null"/> when it is not an orphan here.</returns>
    /// <exception cref="OwnershipMovedException">This region does not own the grain.</exception>
    /// <exception cref="RegionLeaseLapsedException">This region holds no lease; nothing was recorded.</exception>
    Task<ReconciliationRecord?> Reconcile(GeoGrainVersion orphaned);
}

/// <summary>A region's view of one geo grain.</summary>
/// <param name="Region">The region answering.</param>
/// <param name="Home">The grain's home region, from its key.</param>
/// <param name="Ownership">Who owns it, as this region knows.</param>
/// <param name="Version">The version this region holds (0: none yet).</param>
/// <param name="Epoch">The epoch that version was committed under.</param>
/// <param name="CommittedAt">When that version was committed, on the hybrid clock.</param>
/// <param name="CommittedIn">The region that committed that version.</param>
[GenerateSerializer, Immutable]
public sealed record GeoGrainStatus(
    [property: Id(0)] RegionId Region,
    [property: Id(1)] RegionId Home,
    [property: Id(2)] GrainOwnership Ownership,
    [property: Id(3)] long Version,
    [property: Id(4)] long Epoch,
    [property: Id(5)] HybridTimestamp CommittedAt,
    [property: Id(6)] RegionId? CommittedIn);

/// <summary>The region asked to act as a grain's owner does not own it (any more); <see cref="Current"/> says who does.</summary>
[GenerateSerializer]
public sealed class OwnershipMovedException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    public OwnershipMovedException(string grain, RegionId asked, GrainOwnership current)
        : base($"Region '{asked}' does not own geo grain '{grain}'; region '{current.Owner}' does (epoch {current.Epoch}).")
    {
        Current = current;
    }

    /// <summary>The ownership as the asked region knows it.</summary>
    [Id(0)]
    public GrainOwnership Current { get; }
}
