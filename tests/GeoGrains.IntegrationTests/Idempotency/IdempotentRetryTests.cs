using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Storage;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using ReadLevel = GeoGrains.Consistency;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.Idempotency;

/// <summary>
/// Retries of keyed writes on three real regions: a write whose reply is lost and that is tried again with the same key
/// is applied once and answered with the first result, also when the retry reaches a new owner after a failover; another
/// key applies again; a bad key is refused.
/// </summary>
public sealed class IdempotentRetryTests(IdempotencyFixture fixture) : IClassFixture<IdempotencyFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task A_write_whose_reply_is_dropped_is_applied_once_and_its_retry_gets_the_first_result()
    {
        var key = $"eu-west/idem-{Guid.NewGuid():N}";
        var first = Guid.NewGuid().ToString();

        // apac-east's silo forwards the write to eu-west, which applies it; the reply never comes back.
        Geo.Network.Drop<ILedgerGrain>(EuWest, ApacEast);
        try
        {
            await Assert.ThrowsAsync<RegionUnreachableException>(() => AddAsync(ApacEast, key, first, 5));
        }
        finally
        {
            Geo.Heal(EuWest, ApacEast);
        }

        var retried = await AddAsync(ApacEast, key, first, 5);
        Assert.Equal((1L, 1, "eu-west"), (retried.Version, retried.Entries, retried.ExecutedIn));
        Assert.Equal(new[] { 5 }, (await StrongReadAsync(ApacEast, key)).Entries);

        // Every further retry, from any region, gets that same first result: the method does not run again.
        Assert.Equal(retried, await AddAsync(EuWest, key, first, 5));
        Assert.Equal(retried, await AddAsync(ApacEast, key, first, 5));

        // Another key is another write.
        var second = await AddAsync(ApacEast, key, Guid.NewGuid().ToString(), 5);
        Assert.NotEqual(retried.Run, second.Run);
        Assert.Equal((2L, 2), (second.Version, second.Entries));

        // No key: every call applies.
        await Geo.Client(ApacEast).GetGrain<ILedgerGrain>(key).Add(5);
        var view = await StrongReadAsync(ApacEast, key);
        Assert.Equal(new[] { 5, 5, 5 }, view.Entries);
        Assert.Equal(3, view.Version);
        Assert.Equal(retried, await AddAsync(ApacEast, key, first, 5));
    }

    [Fact]
    public async Task A_write_that_writes_twice_or_throws_after_writing_is_replayed_as_a_whole()
    {
        var key = $"apac-east/idem-shapes-{Guid.NewGuid():N}";
        var grain = Geo.Client(EuWest).GetGrain<ILedgerGrain>(key);

        var twice = Guid.NewGuid().ToString();
        LedgerReceipt receipt;
        using (GeoContext.Idempotent(twice))
        {
            receipt = await grain.AddTwice(3);
            Assert.Equal(receipt, await grain.AddTwice(3));
        }

        Assert.Equal((2L, 2), (receipt.Version, receipt.Entries));

        // The exception the method threw after it wrote is the outcome every retry gets; the method does not run again.
        var failing = Guid.NewGuid().ToString();
        using (GeoContext.Idempotent(failing))
        {
            var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.AddThenFail(4));
            var replayed = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.AddThenFail(4));
            Assert.StartsWith("rejected after writing, run ", thrown.Message);
            Assert.Equal(thrown.Message, replayed.Message);
        }

        Assert.Equal(new[] { 3, 3, 4 }, (await StrongReadAsync(EuWest, key)).Entries);
    }

    [Fact]
    public async Task A_bad_key_is_refused_and_nothing_is_applied()
    {
        var key = $"eu-west/idem-bad-{Guid.NewGuid():N}";
        var grain = Geo.Client(ApacEast).GetGrain<ILedgerGrain>(key);

        Assert.Contains("at most 128", Assert.Throws<InvalidIdempotencyKeyException>(() => GeoContext.Idempotent(new string('k', 129))).Message);

        // A caller that puts a key on the call itself, past the scope's check, is refused by the silo.
        RequestContext.Set("geo.idem", new string('k', 300));
        try
        {
            var refused = await Assert.ThrowsAsync<InvalidIdempotencyKeyException>(() => grain.Add(1));
            Assert.Contains("300 characters", refused.Message);
        }
        finally
        {
            RequestContext.Clear();
        }

        Assert.Empty((await StrongReadAsync(ApacEast, key)).Entries);
    }

    [Fact]
    public async Task A_retry_that_lands_after_the_owner_region_failed_over_is_applied_once_and_gets_the_first_result()
    {
        var key = $"us-east/idem-failover-{Guid.NewGuid():N}";
        var first = Guid.NewGuid().ToString();

        Geo.Network.Drop<ILedgerGrain>(UsEast, EuWest);
        await Assert.ThrowsAsync<RegionUnreachableException>(() => AddAsync(EuWest, key, first, 7));

        // The write and its result reach the other regions with the grain's record (the dedup section travels with it).
        await Geo.WaitForReplicationAsync(Timeout);
        foreach (var replica in new[] { EuWest, ApacEast })
        {
            var stored = await StoreOf(replica).ReadAsync(Geo.Client(replica).GetGrain<ILedgerGrain>(key).GetGrainId());
            var entry = Assert.Single(stored!.Record.Applied!);
            Assert.Equal((first, 1L), (entry.Key, entry.Version));
            Assert.NotNull(entry.Outcome);
        }

        await Geo.KillRegionAsync(UsEast);
        Geo.Heal();

        // The retry waits for the takeover, then reaches the new owner, which knows the write and its result.
        var retried = await Eventually.Succeeds(() => AddAsync(EuWest, key, first, 7), Timeout, "the retry reaches the grain's new owner");
        Assert.Equal((1L, 1, "us-east"), (retried.Version, retried.Entries, retried.ExecutedIn));
        var owner = await Geo.Client(EuWest).GetOwnerAsync(Geo.Client(EuWest).GetGrain<ILedgerGrain>(key));
        Assert.NotEqual(UsEast, owner.Owner);
        Assert.Equal(new[] { 7 }, (await StrongReadAsync(ApacEast, key)).Entries);
        Assert.Equal(retried, await AddAsync(ApacEast, key, first, 7));

        // The new owner applies a new key, and remembers it too.
        var next = await AddAsync(ApacEast, key, Guid.NewGuid().ToString(), 7);
        Assert.Equal((2L, 2, owner.Owner.Value), (next.Version, next.Entries, next.ExecutedIn));
        var view = await StrongReadAsync(EuWest, key);
        Assert.Equal(new[] { 7, 7 }, view.Entries);
        Assert.Equal(2, view.Version);
    }

    private async Task<LedgerReceipt> AddAsync(RegionId via, string key, string idempotencyKey, int amount)
    {
        using var scope = GeoContext.Idempotent(idempotencyKey);
        return await Geo.Client(via).GetGrain<ILedgerGrain>(key).Add(amount);
    }

    private async Task<LedgerView> StrongReadAsync(RegionId via, string key)
    {
        using var scope = GeoContext.Read(ReadLevel.Strong);
        return await Geo.Client(via).GetGrain<ILedgerGrain>(key).Get();
    }

    private GeoStore StoreOf(RegionId region) =>
        Geo[region].Cluster!.Silos.Cast<InProcessSiloHandle>().First().ServiceProvider.GetRequiredService<GeoStore>();
}
