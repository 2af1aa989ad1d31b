namespace GeoGrains.Simulation;

/// <summary>
/// How a write ended, as its client sees it (Jepsen's types): <see cref="OutcomeType.Ok"/> acknowledged (with the version
/// stored), <see cref="OutcomeType.Fail"/> certainly not applied, <see cref="OutcomeType.Info"/> unknown (it may be stored).
/// </summary>
internal sealed record WriteOutcome(OutcomeType Type, string Detail, long Epoch = 0, long Version = 0, RegionId? Owner = null)
{
    public static WriteOutcome Ok(long epoch, long version) => new(OutcomeType.Ok, $"stored {epoch:x}.{version}", epoch, version);

    public static WriteOutcome Fail(string why) => new(OutcomeType.Fail, why);

    public static WriteOutcome Info(string why) => new(OutcomeType.Info, why);

    /// <summary>Sent to a region that does not own the grain: not applied; the answer names the owner (the real one forwards instead).</summary>
    public static WriteOutcome NotOwner(RegionId owner) => new(OutcomeType.Fail, $"not the owner; {owner} is", Owner: owner);

    public override string ToString() => $"{Type} {Detail}";
}
