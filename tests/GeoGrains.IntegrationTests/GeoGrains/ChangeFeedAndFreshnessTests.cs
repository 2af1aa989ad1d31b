using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Threading.Channels;
using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Replication;
using GeoGrains.Testing;
using Orleans.Streams;

namespace GeoGrains.IntegrationTests.GeoGrains;

[Collection(ThreeRegionsCollection.Name)]
public sealed class ChangeFeedAndFreshnessTests(ThreeRegionsFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task Every_committed_version_is_published_on_the_owner_regions_change_feed()
    {
        var key = $"eu-west/{Guid.NewGuid():N}";
        var grain = Geo.Client("eu-west").GetGrain<IProfileGrain>(key);
        var received = Channel.CreateUnbounded<GeoChange>();
        var stream = Geo.Client("eu-west").GetStreamProvider(GeoChangeFeed.ProviderName)
            .GetStream<GeoChange>(StreamId.Create(GeoChangeFeed.Namespace, "eu-west"));

        // The region's feed carries every grain's changes; this test follows one grain.
        var subscription = await stream.SubscribeAsync((change, _) =>
            change.Grain == grain.GetGrainId() ? received.Writer.WriteAsync(change).AsTask() : Task.CompletedTask);
        try
        {
            await grain.Rename("Ada");
            await grain.Append(7);
            await Geo.Client("apac-east").GetGrain<IProfileGrain>(key).Append(8);

            var changes = new List<GeoChange>();
            using var deadline = new CancellationTokenSource(Timeout);
            while (changes.Count < 3)
            {
                changes.Add(await received.Reader.ReadAsync(deadline.Token));
            }

            Assert.Equal([1L, 2L, 3L], changes.Select(c => c.Version));
            Assert.All(changes, c => Assert.Equal("eu-west", c.Region.Value));
            Assert.True(changes.Zip(changes.Skip(1)).All(p => p.First.CommittedAt < p.Second.CommittedAt), "commit times are not increasing");
            var last = JsonSerializer.Deserialize<Profile>(changes[2].StateJson)!;
            Assert.Equal("Ada", last.Name);
            Assert.Equal([7, 8], last.History);
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }

    [Fact]
    public async Task A_replica_knows_its_version_and_commit_time_and_lag_is_measured_per_region_pair()
    {
        var lags = new List<(double Lag, string? Source, string? Target)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ReplicationMetrics.MeterName && instrument.Name == "geograins.replication.lag")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            var all = tags.ToArray();
            lock (lags) lags.Add((value, all.First(t => t.Key == "source").Value as string, all.First(t => t.Key == "target").Value as string));
        });
        listener.Start();

        var key = $"apac-east/{Guid.NewGuid():N}";
        await Geo.Client("apac-east").GetGrain<IProfileGrain>(key).Rename("fresh");
        var owner = await Geo.Client("apac-east").GetGrain<IProfileGrain>(key).AsReference<IGeoGrainControl>().GetGeoStatus();

        var replica = await Eventually.Succeeds(async () =>
        {
            var status = await Geo.Client("us-east").GetGrain<IProfileGrain>(key).AsReference<IGeoGrainControl>().GetGeoStatus();
            return status.Version == 1 ? status : throw new InvalidOperationException("not replicated yet");
        }, Timeout, "us-east replica at version 1");

        Assert.Equal("us-east", replica.Region.Value);
        Assert.Equal(new GrainOwnership("apac-east", 1), replica.Ownership);
        Assert.Equal(owner.CommittedAt, replica.CommittedAt);
        Assert.Equal("apac-east", replica.CommittedIn?.Value);

        // The change crossed a 100 ms one-way link: its measured lag cannot be less.
        await Eventually.Succeeds(() => Task.FromResult(Geo.Replication.Get("apac-east", "us-east").ChangesApplied > 0 ? true : throw new InvalidOperationException()),
            Timeout, "the metric counts the applied change");
        Assert.True(Geo.Replication.Get("apac-east", "us-east").LastLagMilliseconds >= 100, $"lag {Geo.Replication.Get("apac-east", "us-east").LastLagMilliseconds} ms");
        lock (lags)
        {
            Assert.Contains(lags, l => l.Source == "apac-east" && l.Target == "us-east" && l.Lag >= 100);
        }
    }
}
