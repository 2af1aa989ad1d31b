using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.Storage;

/// <summary>A warm replica answers reads from memory; the replication receiver tells it of new versions. Each backend runs it.</summary>
public abstract class WarmReplicaContract
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    protected abstract GeoTestCluster Geo { get; }

    [Fact]
    public async Task A_warm_replica_read_does_no_storage_io_and_still_sees_new_versions()
    {
        var key = $"us-east/{Guid.NewGuid():N}";
        var home = Geo.Client("us-east").GetGrain<IProfileGrain>(key);
        var replica = Geo.Client("eu-west").GetGrain<IProfileGrain>(key);
        await home.Append(1);
        await Eventually.Succeeds(async () => (await Geo["eu-west"].Store.ReadAsync(replica.GetGrainId()))?.Record.Version == 1
            ? true : throw new InvalidOperationException("not replicated yet"), Timeout, "eu-west stores version 1");

        // A cold activation reads the stored replica once: the counter sees storage reads.
        var beforeActivation = Geo.StorageMetrics.Get("eu-west");
        Assert.Equal(1, (await replica.Get()).Version);
        Assert.True(Geo.StorageMetrics.Get("eu-west").Reads > beforeActivation.Reads, "activating the replica read nothing from storage");

        // A new version reaches the warm activation through the receiver, not through a read.
        await home.Append(2);
        await Eventually.Succeeds(async () => (await replica.Get()).Version == 2 ? true : throw new InvalidOperationException("version 1 still"),
            Timeout, "the warm replica serves version 2");

        // Other work of the region (its directory, recovery sweeps, applies for other tests' grains) may touch storage
        // meanwhile, so look for a block of reads during which the region did no storage I/O at all: a read that went
        // to storage would add one round trip per call to every block.
        var quietest = long.MaxValue;
        for (var block = 0; block < 5 && quietest > 0; block++)
        {
            var before = Geo.StorageMetrics.Get("eu-west");
            for (var i = 0; i < 25; i++)
            {
                var view = await replica.Get();
                Assert.Equal(2, view.Version);
                Assert.True(view.History.SequenceEqual([1, 2]), string.Join(",", view.History));
            }

            var after = Geo.StorageMetrics.Get("eu-west");
            quietest = Math.Min(quietest, (after.Reads - before.Reads) + (after.Queries - before.Queries));
        }

        Assert.Equal(0, quietest);
    }
}

/// <summary>On in-memory accounts, two silos per region: notices cross silos.</summary>
[Collection(ThreeRegionsCollection.Name)]
public sealed class MemoryWarmReplicaTests(ThreeRegionsFixture fixture) : WarmReplicaContract
{
    protected override GeoTestCluster Geo => fixture.Geo;
}

/// <summary>On Azurite.</summary>
[Collection(AzureRegionsCollection.Name)]
public sealed class AzureWarmReplicaTests(AzureGeoClusterFixture fixture) : WarmReplicaContract
{
    protected override GeoTestCluster Geo => fixture.Geo;
}
