using System.Text;
using GeoGrains.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Serialization;

namespace GeoGrains.Tests.Reconciliation;

/// <summary>What applying replicated versions reports for reconciliation: the stored version of what it skipped, and what it held back.</summary>
public sealed class ReplicaApplyTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
    private static readonly GrainId Ada = GrainId.Create("items", "us-east/ada");
    private static readonly GrainId Bob = GrainId.Create("items", "us-east/bob");

    private readonly GeoStore _store = new(new MemoryRegionTable(new RegionStorageAccount("us-east"), new RegionStorageMetrics()), Serializer, partitions: 2);

    private static GeoRecord Record(long epoch, long version, RegionId committedIn, long baseEpoch = 0, long baseVersion = 0) =>
        new(version, epoch, new HybridTimestamp(version, 0), committedIn, Encoding.UTF8.GetBytes($"{{\"v\":{version}}}"), baseEpoch, baseVersion);

    // Stored records come back deserialized: compare what identifies a version and its lineage, not the state's bytes.
    private static (long, long, RegionId, long, long) Key(GeoRecord record) => (record.Epoch, record.Version, record.CommittedIn, record.BaseEpoch, record.BaseVersion);

    [Fact]
    public async Task A_skipped_version_comes_back_with_the_stored_one_that_is_newer()
    {
        var takeover = Record(1L << 32, 5, "eu-west", 1, 3);
        await _store.ApplyReplicasAsync([new ReplicatedChange(Ada, takeover)], new ReplicaVersions());

        var result = await _store.ApplyReplicasAsync([new ReplicatedChange(Ada, Record(1, 8, "us-east")), new ReplicatedChange(Bob, Record(1, 1, "us-east"))], new ReplicaVersions());
        var (skipped, stored) = Assert.Single(result.Skipped);
        Assert.Equal(Ada, skipped.Grain);
        Assert.Equal(Key(takeover), Key(stored));
        Assert.Equal(Bob, Assert.Single(result.Applied).Grain);
        Assert.True(Lineage.IsOrphan(skipped.Record, stored));
    }

    [Fact]
    public async Task A_change_held_back_leaves_the_stored_version_in_place_until_applied_again()
    {
        var local = Record(1, 8, "us-east");
        await _store.ApplyReplicasAsync([new ReplicatedChange(Ada, local)], new ReplicaVersions());
        var incoming = new ReplicatedChange(Ada, Record(1L << 32, 5, "eu-west", 1, 3));
        var known = new ReplicaVersions();

        var held = await _store.ApplyReplicasAsync([incoming], known, (stored, change) => Lineage.IsOrphan(stored, change));
        Assert.Empty(held.Applied);
        var (change, replaced) = Assert.Single(held.HeldBack);
        Assert.Equal(incoming, change);
        Assert.Equal(Key(local), Key(replaced));
        Assert.Equal(Key(local), Key((await _store.ReadAsync(Ada))!.Record));

        var applied = await _store.ApplyReplicasAsync([incoming], known);
        Assert.Equal(incoming.Record, Assert.Single(applied.Applied).Stored.Record);
        Assert.Equal(Key(incoming.Record), Key((await _store.ReadAsync(Ada))!.Record));
    }
}
