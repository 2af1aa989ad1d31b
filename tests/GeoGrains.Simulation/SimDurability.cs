namespace GeoGrains.Simulation;

/// <summary>
/// What a client's write asks for, as <c>Durability</c> says it: <c>Sync</c> (every region that is a member), <c>SemiSync(k)</c>
/// (<see cref="Regions"/> other regions) or <c>Async</c>, with the acknowledgement wait.
/// </summary>
internal sealed record SimDurability(ReplicationMode Mode, int Regions, TimeSpan Timeout)
{
    /// <summary>Whether an acknowledged write of this durability must survive a takeover.</summary>
    public bool IsDurable => Mode is ReplicationMode.Sync or ReplicationMode.SemiSync;

    public override string ToString() => Mode switch
    {
        ReplicationMode.SemiSync => $"SemiSync({Regions}, {Timeout.TotalSeconds:0}s)",
        ReplicationMode.Sync => $"Sync({Timeout.TotalSeconds:0}s)",
        _ => "Async",
    };
}
