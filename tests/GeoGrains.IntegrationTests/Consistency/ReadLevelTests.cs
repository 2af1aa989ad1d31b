using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Replication;
using GeoGrains.Testing;
using ReadLevel = GeoGrains.Consistency;

namespace GeoGrains.IntegrationTests.Consistency;

/// <summary>
/// Read levels chosen per call, with replication to one region held back by the WAN emulator (its replication
/// messages dropped, every other call delivered), so that a replica there is provably behind its owner.
/// </summary>
[Collection(ThreeRegionsCollection.Name)]
public sealed class ReadLevelTests(ThreeRegionsFixture fixture) : NetworkFaultTests(() => fixture.Geo)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Strong_reads_from_a_region_that_is_behind_are_served_by_the_owner_eventual_reads_by_the_replica()
    {
        var key = $"us-east/{Guid.NewGuid():N}";
        await Geo.Client("us-east").GetGrain<IProfileGrain>(key).Rename("first");
        await ReplicatedAsync("apac-east", key, version: 1);
        Geo.Network.Drop<IReplicationReceiverGrain>("us-east", "apac-east");
        await Geo.Client("us-east").GetGrain<IProfileGrain>(key).Rename("second");

        var reader = Geo.Client("apac-east").GetGrain<IProfileGrain>(key);
        using (var strong = GeoContext.Read(ReadLevel.Strong))
        {
            var view = await reader.Get();
            Assert.Equal(("us-east", 2L, "second"), (view.ServedBy.Value, view.Version, view.Name));
            Assert.Equal(new RegionId("us-east"), strong.Last!.ServedBy);
            Assert.True(strong.Last.Forwarded);
            Assert.Equal(2, strong.Last.Version);
            Assert.Equal(TimeSpan.Zero, strong.Last.Lag);
        }

        using (var eventual = GeoContext.Read(ReadLevel.Eventual))
        {
            var view = await reader.Get();
            Assert.Equal(("apac-east", 1L, "first"), (view.ServedBy.Value, view.Version, view.Name));
            Assert.False(eventual.Last!.Forwarded);
            Assert.Equal(new RegionId("us-east"), eventual.Last.Owner);
        }

        Geo.Heal();
        await ReplicatedAsync("apac-east", key, version: 2);
    }

    [Fact]
    public async Task Bounded_staleness_reads_are_local_while_the_replica_is_provably_within_the_bound_and_forwarded_once_it_is_not()
    {
        var key = $"us-east/{Guid.NewGuid():N}";
        await Geo.Client("us-east").GetGrain<IProfileGrain>(key).Rename("first");
        await ReplicatedAsync("apac-east", key, version: 1);
        var reader = Geo.Client("apac-east").GetGrain<IProfileGrain>(key);
        var bound = ReadLevel.BoundedStaleness(TimeSpan.FromSeconds(2));
        long Forwarded() => Geo.Meter.Messages<IProfileGrain>("apac-east", "us-east");

        // An idle grain: the owner's heartbeats keep proving apac-east's replica fresh, so it answers without a message to us-east.
        await Eventually.Succeeds(async () =>
        {
            var before = Forwarded();
            using var scope = GeoContext.Read(bound);
            var view = await reader.Get();
            Assert.Equal(("apac-east", "first"), (view.ServedBy.Value, view.Name));
            Assert.False(scope.Last!.Forwarded);
            Assert.InRange(scope.Last.Lag!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(2));
            Assert.Equal(before, Forwarded());
            return true;
        }, Timeout, "an idle grain's bounded read served by apac-east's replica");

        // Replication to apac-east held back: once its lag passes the bound, reads cross to the owner and see its latest write.
        Geo.Network.Drop<IReplicationReceiverGrain>("us-east", "apac-east");
        await Geo.Client("us-east").GetGrain<IProfileGrain>(key).Rename("second");
        await Eventually.Succeeds(async () =>
        {
            var before = Forwarded();
            using var scope = GeoContext.Read(bound);
            var view = await reader.Get();
            Assert.True(scope.Last!.Forwarded, $"served by {view.ServedBy} with {view.Name}, lag {scope.Last.Lag}");
            Assert.Equal(("us-east", "second"), (view.ServedBy.Value, view.Name));
            Assert.True(Forwarded() > before);
            return true;
        }, Timeout, "bounded reads forwarded to us-east while apac-east is held back");

        // Released: apac-east catches up and serves the bounded reads itself again.
        Geo.Heal();
        await Eventually.Succeeds(async () =>
        {
            using var scope = GeoContext.Read(bound);
            var view = await reader.Get();
            Assert.False(scope.Last!.Forwarded);
            Assert.Equal(("apac-east", "second"), (view.ServedBy.Value, view.Name));
            return true;
        }, Timeout, "bounded reads served by apac-east again after catch-up");
    }

    [Fact]
    public async Task A_session_reads_its_own_write_after_moving_to_a_region_that_has_not_received_it()
    {
        var key = $"eu-west/{Guid.NewGuid():N}";
        var session = new GeoSession();
        Geo.Network.Drop<IReplicationReceiverGrain>("eu-west", "apac-east");
        using (GeoContext.Session(session))
        {
            await Geo.Client("eu-west").GetGrain<IProfileGrain>(key).Rename("mine");
        }

        Assert.NotEqual(string.Empty, session.Token);

        // The same session, now in apac-east (a web app would bring its token along in a cookie).
        var moved = GeoSession.Resume(session.Token);
        using (var scope = GeoContext.Session(moved))
        {
            var view = await Geo.Client("apac-east").GetGrain<IProfileGrain>(key).Get();
            Assert.Equal(("mine", 1L), (view.Name, view.Version));
            Assert.True(scope.Last!.Forwarded);
            Assert.Equal(new RegionId("eu-west"), scope.Last.ServedBy);
        }

        // Without the session, apac-east's replica still shows what it has: nothing.
        Assert.Equal(0, (await Geo.Client("apac-east").GetGrain<IProfileGrain>(key).Get()).Version);

        // Once the replica has caught up, the session is served there, locally, and never sees less than before.
        Geo.Heal();
        await Eventually.Succeeds(async () =>
        {
            using var scope = GeoContext.Session(moved);
            var view = await Geo.Client("apac-east").GetGrain<IProfileGrain>(key).Get();
            Assert.Equal(("mine", 1L), (view.Name, view.Version));
            return scope.Last!.Forwarded ? throw new InvalidOperationException("still forwarded") : true;
        }, Timeout, "the session served by apac-east's replica after catch-up");
    }

    [Fact]
    public async Task Reads_in_a_session_never_go_back_to_an_older_version_across_regions()
    {
        var key = $"us-east/{Guid.NewGuid():N}";
        var session = new GeoSession();
        var owner = Geo.Client("us-east").GetGrain<IProfileGrain>(key);
        await owner.Append(1);
        foreach (var region in Geo.Regions)
        {
            await ReplicatedAsync(region, key, version: 1);
        }

        Geo.Network.Drop<IReplicationReceiverGrain>("us-east", "eu-west");
        await owner.Append(2);
        await ReplicatedAsync("apac-east", key, version: 2);

        long seen = 0;
        foreach (var region in new RegionId[] { "apac-east", "eu-west", "apac-east", "eu-west", "us-east" })
        {
            using var scope = GeoContext.Session(session);
            var view = await Geo.Client(region).GetGrain<IProfileGrain>(key).Get();
            Assert.True(view.Version >= seen, $"{region} served version {view.Version} after the session had seen {seen}");
            seen = view.Version;
        }

        Assert.Equal(2, seen);
    }

    [Fact]
    public async Task Writes_report_the_owner_that_committed_them_and_the_version()
    {
        var key = $"eu-west/{Guid.NewGuid():N}";
        using var scope = GeoContext.Use();

        await Geo.Client("apac-east").GetGrain<IProfileGrain>(key).Rename("a");
        await Geo.Client("apac-east").GetGrain<IProfileGrain>(key).Rename("b");

        Assert.Equal((new RegionId("eu-west"), new RegionId("eu-west"), true, 2L), (scope.Last!.ServedBy, scope.Last.Owner, scope.Last.Forwarded, scope.Last.Version));
        Assert.True(scope.Last.CommittedAt > default(HybridTimestamp));
    }

    [Fact]
    public async Task A_forged_session_token_fails_the_call_naming_the_problem()
    {
        var key = $"us-east/{Guid.NewGuid():N}";
        var session = new GeoSession();
        using (GeoContext.Session(session))
        {
            await Geo.Client("us-east").GetGrain<IProfileGrain>(key).Rename("x");
        }

        // One character of the payload changed: still well-formed, no longer what the service signed.
        var parts = session.Token.Split('.');
        var payload = (parts[1][0] == 'A' ? 'B' : 'A') + parts[1][1..];
        var forged = GeoSession.Resume($"{parts[0]}.{payload}.{parts[2]}");
        using (GeoContext.Session(forged))
        {
            var refused = await Assert.ThrowsAsync<InvalidSessionTokenException>(() => Geo.Client("eu-west").GetGrain<IProfileGrain>(key).Get());
            Assert.Contains("was not issued by this service: its signature does not match", refused.Message);
        }
    }

    [Fact]
    public async Task An_unknown_read_level_in_the_request_context_fails_the_call_naming_it()
    {
        var key = $"us-east/{Guid.NewGuid():N}";
        RequestContext.Set("geo.read", "linearizable");
        try
        {
            var refused = await Assert.ThrowsAsync<InvalidConsistencyException>(() => Geo.Client("eu-west").GetGrain<IProfileGrain>(key).Get());
            Assert.Contains("'linearizable' is not a read consistency level", refused.Message);
        }
        finally
        {
            RequestContext.Remove("geo.read");
        }
    }

    private Task ReplicatedAsync(RegionId region, string key, long version) =>
        Eventually.Succeeds(async () =>
        {
            var view = await Geo.Client(region).GetGrain<IProfileGrain>(key).Get();
            return view.Version >= version ? view : throw new InvalidOperationException($"{region} at version {view.Version}");
        }, Timeout, $"{region} to hold version {version} of {key}");
}
