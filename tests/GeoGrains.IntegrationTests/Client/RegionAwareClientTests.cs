using GeoGrains.Client;
using GeoGrains.IntegrationTests.Grains;
using GeoGrains.IntegrationTests.Processes;
using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.Client;

/// <summary>The region-aware client against real regions: placement, preference, failover and failback, sessions.</summary>
public sealed class RegionAwareClientTests(RegionAwareClientFixture fixture) : IClassFixture<RegionAwareClientFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private GeoTestCluster Geo => fixture.Geo;

    private static void Fast(GeoGrainsClientOptions o)
    {
        o.ProbeInterval = TimeSpan.FromMilliseconds(250);
        o.ConnectTimeout = TimeSpan.FromSeconds(2);
        o.FailbackAfter = TimeSpan.FromSeconds(2);
        o.CallTimeout = TimeSpan.FromSeconds(10);
    }

    [Fact]
    public async Task Placed_in_each_region_the_client_connects_there()
    {
        foreach (var region in Geo.Regions)
        {
            await using var client = await Geo.CreateRegionAwareClientAsync(region, Fast);

            // A first probe slowed by a loaded machine may rank another region first for a moment; the smoothed round
            // trips then bring the client to its own region.
            await Eventually.Holds(() => client.Geo.CurrentRegion == region, TimeSpan.FromSeconds(60), $"the client placed in {region} uses it");
            var reply = await client.Client.GetGrain<IRegionProbeGrain>(0).Probe();
            Assert.Equal(region, reply.Region);
        }
    }

    [Fact]
    public async Task A_write_whose_reply_is_lost_is_sent_again_through_another_region_and_applied_exactly_once()
    {
        await using var client = await Geo.CreateRegionAwareClientAsync("apac-east", Fast);
        var ledger = client.Client.GetGrain<ILedgerGrain>($"eu-west/client-retry-{Guid.NewGuid():N}");
        var first = await ledger.Add(1);

        // apac-east forwards the next write to its owner eu-west, which applies it; the reply never comes back to
        // apac-east. The client sends it again, with the same idempotency key, through the next region.
        Geo.Network.Drop<ILedgerGrain>("eu-west", "apac-east");
        LedgerReceipt second;
        try
        {
            second = await ledger.Add(2);
        }
        finally
        {
            Geo.Heal("eu-west", "apac-east");
        }

        Assert.Equal(first.Version + 1, second.Version);
        using var scope = GeoContext.Read(global::GeoGrains.Consistency.Strong);
        var view = await ledger.Get();
        Assert.Equal([1, 2], view.Entries);
        Assert.Equal(second.Version, view.Version);
    }

    [Fact]
    public async Task With_a_preferred_list_the_client_follows_the_list_over_the_measurement()
    {
        await using var client = await Geo.CreateRegionAwareClientAsync("us-east", o =>
        {
            Fast(o);
            o.PreferredRegions = ["apac-east", "eu-west"];
        });

        Assert.Equal((RegionId)"apac-east", client.Geo.CurrentRegion);
        Assert.Equal((RegionId)"apac-east", (await client.Client.GetGrain<IRegionProbeGrain>(0).Probe()).Region);
    }

    [Fact]
    public async Task Killing_the_clients_region_moves_calls_to_the_next_nearest_and_restarting_it_moves_them_back_with_session_reads_correct()
    {
        await using var client = await Geo.CreateRegionAwareClientAsync("eu-west", Fast);
        var profile = client.Client.GetGrain<IProfileGrain>($"apac-east/client-{Guid.NewGuid():N}");
        var before = await profile.Rename("before the switch");
        Assert.Equal((RegionId)"apac-east", before.ExecutedIn);

        await Geo.KillRegionAsync("eu-west");
        try
        {
            // Session reads through the next-nearest region (us-east) see the write made through eu-west: the client
            // carried the session token across the switch without the test touching it.
            var view = await Eventually.Succeeds(async () =>
            {
                using var scope = GeoContext.Read(global::GeoGrains.Consistency.Session);
                return await profile.Get();
            }, Patience, "a session read after eu-west died");
            Assert.Equal("before the switch", view.Name);

            // A probe slowed by the machine can rank apac-east first for a moment; the client then moves on to us-east once
            // its smoothed round trip is clearly shorter.
            await Eventually.Holds(() => client.Geo.CurrentRegion == (RegionId)"us-east", Patience, "the client moves to the next nearest region, us-east");

            using (var scope = GeoContext.Read(global::GeoGrains.Consistency.Session))
            {
                var after = await profile.Rename("after the switch");
                Assert.Equal(before.Version + 1, after.Version);
                var read = await profile.Get();
                Assert.Equal("after the switch", read.Name);

                // Entered through us-east: served by its replica, or forwarded by it to the owner while it catches up.
                Assert.True(scope.Last!.ServedBy == (RegionId)"us-east" || scope.Last.Forwarded, $"served by {scope.Last.ServedBy}");
            }
        }
        finally
        {
            await Geo.RestartRegionAsync("eu-west");
        }

        await Eventually.Holds(() => client.Geo.CurrentRegion == (RegionId)"eu-west", Patience, "the client moves back to eu-west");
        var reply = await Eventually.Succeeds(() => client.Client.GetGrain<IRegionProbeGrain>(0).Probe(), Patience, "a call through eu-west again");
        Assert.Equal((RegionId)"eu-west", reply.Region);
    }

    [Fact]
    public async Task A_session_exported_by_one_client_and_imported_by_another_carries_what_the_first_saw()
    {
        await using var writer = await Geo.CreateRegionAwareClientAsync("apac-east", Fast);
        await using var reader = await Geo.CreateRegionAwareClientAsync("us-east", Fast);
        var key = $"apac-east/cookie-{Guid.NewGuid():N}";

        await writer.Client.GetGrain<IProfileGrain>(key).Rename("written in apac-east");
        var token = writer.Geo.ExportSession();
        Assert.StartsWith("gs1.", token);

        reader.Geo.ImportSession(token);
        using var scope = GeoContext.Read(global::GeoGrains.Consistency.Session);
        var view = await reader.Client.GetGrain<IProfileGrain>(key).Get();

        Assert.Equal("written in apac-east", view.Name);
        Assert.True(scope.Last!.ServedBy == (RegionId)"us-east" || scope.Last.Forwarded, $"served by {scope.Last.ServedBy}");
        Assert.Throws<InvalidSessionTokenException>(() => reader.Geo.ImportSession("not-a-token"));
    }

    [Fact]
    public async Task The_sample_client_app_connects_to_its_preferred_region_and_writes_through_the_public_api()
    {
        var key = $"apac-east/sample-{Guid.NewGuid():N}";
        var args = new List<string> { BuiltAssembly.SampleClient, "--GeoGrains:Client:ServiceId", Geo.ServiceId, "--GeoGrains:Client:PreferredRegions:0", "eu-west", "--visits", "2", "--grain", key };
        var index = 0;
        foreach (var region in Geo.Topology.Regions)
        {
            args.AddRange([$"--GeoGrains:Client:Regions:{index}:Name", region.Id.Value, $"--GeoGrains:Client:Regions:{index}:ClusterId", region.ClusterId]);
            for (var g = 0; g < region.Gateways.Count; g++)
            {
                args.AddRange([$"--GeoGrains:Client:Regions:{index}:Gateways:{g}", region.Gateways[g].ToString()]);
            }

            index++;
        }

        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        args.ForEach(start.ArgumentList.Add);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The sample did not finish within 60 s. Output: {await output}");
        }

        var text = await output;
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}: {text} {await errors}");
        Assert.Contains("Connected to region: eu-west", text);
        Assert.Contains("Probe answered by region: eu-west", text);
        Assert.Contains("Visit 1: version 1, owner apac-east", text);
        Assert.Contains("Visit 2: version 2, owner apac-east", text);
        Assert.Contains("Session token: gs1.", text);
    }
}
