using Orleans.Concurrency;

namespace GeoGrains.IntegrationTests.Grains;

/// <summary>A ledger of amounts: every application of a write appends to it, so its entries count applications.</summary>
public interface ILedgerGrain : IGrainWithStringKey
{
    /// <summary>Appends <paramref name="amount"/> in one version.</summary>
    Task<LedgerReceipt> Add(int amount);

    /// <summary>Appends <paramref name="amount"/> twice, in two versions: one write.</summary>
    Task<LedgerReceipt> AddTwice(int amount);

    /// <summary>Appends <paramref name="amount"/>, then throws an exception naming this run.</summary>
    Task<LedgerReceipt> AddThenFail(int amount);

    [ReadOnly]
    Task<LedgerView> Get();
}

/// <summary>What a run of a write returned: <see cref="Run"/> is new for every run of the method, so a replayed result shows.</summary>
[GenerateSerializer, Immutable]
public sealed record LedgerReceipt([property: Id(0)] Guid Run, [property: Id(1)] long Version, [property: Id(2)] int Entries, [property: Id(3)] string ExecutedIn);

[GenerateSerializer, Immutable]
public sealed record LedgerView([property: Id(0)] int[] Entries, [property: Id(1)] long Version);

public sealed record Ledger(int[] Entries)
{
    public Ledger() : this([])
    {
    }
}

[GeoGrain]
public sealed class LedgerGrain : GeoGrain<Ledger>, ILedgerGrain
{
    public async Task<LedgerReceipt> Add(int amount)
    {
        await Update(l => new Ledger([.. l.Entries, amount]));
        return Receipt();
    }

    public async Task<LedgerReceipt> AddTwice(int amount)
    {
        await Update(l => new Ledger([.. l.Entries, amount]));
        await Update(l => new Ledger([.. l.Entries, amount]));
        return Receipt();
    }

    public async Task<LedgerReceipt> AddThenFail(int amount)
    {
        await Update(l => new Ledger([.. l.Entries, amount]));
        throw new InvalidOperationException($"rejected after writing, run {Guid.NewGuid()}");
    }

    public Task<LedgerView> Get() => Task.FromResult(new LedgerView(State.Entries, Version));

    private LedgerReceipt Receipt() => new(Guid.NewGuid(), Version, State.Entries.Length, Region.Value);
}
