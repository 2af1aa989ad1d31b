using System.Collections.Immutable;
using Orleans.Concurrency;

namespace GeoGrains.Benchmarks;

/// <summary>
/// A geo grain that keeps every entry written to it, so that a benchmark can count which acknowledged writes its state
/// holds after a failover.
/// </summary>
public interface IBenchLedgerGrain : IGrainWithStringKey
{
    Task<LedgerReceipt> Append(int entry);

    [ReadOnly]
    Task<ImmutableArray<int>> Entries();
}

/// <summary>Where a write ran and the version it made.</summary>
[GenerateSerializer, Immutable]
public sealed record LedgerReceipt([property: Id(0)] RegionId ExecutedIn, [property: Id(1)] long Version);

public sealed record BenchLedger(ImmutableList<int> Entries)
{
    public BenchLedger()
        : this(ImmutableList<int>.Empty)
    {
    }
}

[GeoGrain]
public sealed class BenchLedgerGrain : GeoGrain<BenchLedger>, IBenchLedgerGrain
{
    protected override BenchLedger CreateInitialState() => new();

    public async Task<LedgerReceipt> Append(int entry)
    {
        await Update(l => l with { Entries = l.Entries.Add(entry) });
        return new LedgerReceipt(Region, Version);
    }

    public Task<ImmutableArray<int>> Entries() => Task.FromResult(State.Entries.ToImmutableArray());
}
