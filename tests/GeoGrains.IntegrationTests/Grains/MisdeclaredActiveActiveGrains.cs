namespace GeoGrains.IntegrationTests.Grains;

/// <summary>Declared active-active with a policy its class cannot meet: its first activation must refuse to work.</summary>
public interface IMisdeclaredActiveActiveGrain : IGrainWithStringKey
{
    Task Set(int value);
}

public sealed record Plain(int Value);

/// <summary>Crdt policy, but its state is not a CRDT.</summary>
[GeoGrain(Home = HomeBy.Hash, Writers = GeoWriters.AnyRegion, Conflicts = ConflictPolicy.Crdt)]
public sealed class PlainStateCrdtGrain : GeoGrain<Plain>, IMisdeclaredActiveActiveGrain
{
    protected override Plain CreateInitialState() => new(0);

    public Task Set(int value) => Update(_ => new Plain(value));
}

/// <summary>Custom policy, but no MergeConcurrent override.</summary>
[GeoGrain(Home = HomeBy.Hash, Writers = GeoWriters.AnyRegion, Conflicts = ConflictPolicy.Custom)]
public sealed class MergelessCustomGrain : GeoGrain<Plain>, IMisdeclaredActiveActiveGrain
{
    protected override Plain CreateInitialState() => new(0);

    public Task Set(int value) => Update(_ => new Plain(value));
}
