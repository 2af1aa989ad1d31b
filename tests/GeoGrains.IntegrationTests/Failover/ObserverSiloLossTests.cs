using System.Collections.Concurrent;
using System.Diagnostics;
using GeoGrains.Testing;
using Xunit.Abstractions;
using Orleans.Core.Internal;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// A region's lease does not live in one grain: the silo running us-east's health observer (its lease keeper and
/// acceptor) crashes while a client keeps writing us-east grains on the region's other silos. Every silo keeps a lease of
/// its own, confirmed by the other regions, so the writes go on without a pause as long as the lease period, and no region
/// takes us-east over while the observer is out of reach, though both other regions hold us-east down meanwhile (its
/// observer does not answer their probes).
/// </summary>
public sealed class ObserverSiloLossTests(ObserverSiloLossFixture fixture, ITestOutputHelper output) : IClassFixture<ObserverSiloLossFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task Killing_the_silo_of_the_regions_health_observer_neither_pauses_its_writes_for_a_lease_period_nor_lets_another_region_take_it_over()
    {
        var observerSilo = await ObserverOffThePrimarySiloAsync();

        // Grains activated on the silos that stay: those on the killed silo wait for Orleans to declare it dead, which
        // is Orleans' failover, not the lease's.
        var keys = new List<string>();
        for (var i = 0; keys.Count < 3 && i < 60; i++)
        {
            var key = $"us-east/observer-loss-{i}-{Guid.NewGuid():N}";
            if (await Geo.Client(UsEast).GetGrain<ISiloWriterGrain>(key).Write() != observerSilo)
            {
                keys.Add(key);
            }
        }

        Assert.True(keys.Count == 3, "no three us-east grains were activated away from the observer's silo");

        var completed = new ConcurrentQueue<long>();
        using var stop = new CancellationTokenSource();
        var writers = keys.Select(key => Task.Run(() => WriteUntilStoppedAsync(key, completed, stop.Token))).ToList();
        await Eventually.Holds(() => completed.Count >= 20, Timeout, "the writers to write");

        // The silo dies, and the observer stays out of reach until both other regions have held us-east down for two
        // lease periods: long enough for every copy of a lease taken from the observer to lapse, and for the others to
        // take us-east over if anything let them.
        fixture.ObserverUnreachable.Blocked = true;
        await Geo.KillSiloAsync(UsEast, observerSilo);
        var killedAt = Stopwatch.GetTimestamp();
        try
        {
            var rounds = (int)(2 * ObserverSiloLossFixture.LeasePeriod / ObserverSiloLossFixture.ProbeInterval);
            foreach (var region in new[] { EuWest, ApacEast })
            {
                var down = await Eventually.Succeeds(
                    async () =>
                    {
                        var view = await Geo.Client(region).GetGrain<IRegionHealthGrain>(0).GetView();
                        return view.HoldsDown(UsEast) ? view : throw new InvalidOperationException($"{region} does not hold us-east down yet");
                    },
                    Timeout,
                    $"{region} to hold us-east down");
                await Eventually.Succeeds(
                    async () => (await Geo.Client(region).GetGrain<IRegionHealthGrain>(0).GetView()).Rounds >= down.Rounds + rounds
                        ? true
                        : throw new InvalidOperationException($"{region} has not probed {rounds} more rounds"),
                    Timeout,
                    $"{region} to probe {rounds} more rounds");
            }
        }
        finally
        {
            fixture.ObserverUnreachable.Blocked = false;
        }

        // Then the observer answers again, on another silo, and the others hear us-east again.
        var moved = await Eventually.Succeeds(
            async () =>
            {
                var view = await Geo.Client(UsEast).GetGrain<IRegionHealthGrain>(0).GetView();
                return view.Silo != observerSilo ? view : throw new InvalidOperationException("the observer has not moved yet");
            },
            Timeout,
            "us-east's health observer to run on another silo");
        output.WriteLine($"the observer answered again {Stopwatch.GetElapsedTime(killedAt).TotalSeconds:0.0} s after the kill");
        foreach (var region in new[] { EuWest, ApacEast })
        {
            var rounds = (await Geo.Client(region).GetGrain<IRegionHealthGrain>(0).GetView()).Rounds;
            await Eventually.Succeeds(
                async () =>
                {
                    var view = await Geo.Client(region).GetGrain<IRegionHealthGrain>(0).GetView();
                    return !view.Suspects(UsEast) && !view.HoldsDown(UsEast) && view.Rounds >= rounds + 3
                        ? view
                        : throw new InvalidOperationException($"{region} still suspects us-east or has not probed it again");
                },
                Timeout,
                $"{region} to hear us-east again");
        }

        var afterwards = completed.Count;
        await Eventually.Holds(() => completed.Count >= afterwards + 20, Timeout, "the writers to write on");
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        foreach (var region in Geo.Regions)
        {
            var timeline = await Geo.Client(region).GetGrain<IRegionHealthGrain>(0).GetTimeline();
            Assert.DoesNotContain(timeline, e => e.Subject == UsEast && e.Change == RegionHealthChange.OwnershipTransferred);
        }

        var times = completed.Order().ToList();
        output.WriteLine($"observer moved from {observerSilo} to {moved.Silo}; {times.Count(t => t > killedAt)} of {times.Count} writes after the kill");
        Assert.Contains(times, t => t > killedAt);
        var longest = times.Zip(times.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b)).Max();
        output.WriteLine($"longest pause between writes: {longest.TotalMilliseconds:0} ms");
        Assert.True(
            longest < ObserverSiloLossFixture.LeasePeriod,
            $"writes to us-east paused for {longest.TotalMilliseconds:0} ms (lease period {ObserverSiloLossFixture.LeasePeriod}); observer moved from {observerSilo} to {moved.Silo}");
    }

    /// <summary>
    /// The silo running us-east's observer, moved off the region's primary silo first if it runs there: the test
    /// cluster's membership table lives on the primary, so killing it would leave the region unable to declare it dead.
    /// </summary>
    private async Task<string> ObserverOffThePrimarySiloAsync()
    {
        var cluster = Geo[UsEast].Cluster!;
        var primary = cluster.Primary!.SiloAddress.ToString();
        var observer = Geo.Client(UsEast).GetGrain<IRegionHealthGrain>(0);
        var silo = (await observer.GetView()).Silo!;
        if (silo != primary)
        {
            return silo;
        }

        var target = cluster.Silos.First(s => s != cluster.Primary).SiloAddress;
        RequestContext.Set(IPlacementDirector.PlacementHintKey, target);
        try
        {
            await observer.AsReference<IGrainManagementExtension>().MigrateOnIdle();
        }
        finally
        {
            RequestContext.Clear();
        }

        var view = await Eventually.Succeeds(
            async () =>
            {
                var moved = await observer.GetView();
                return moved.Silo != primary ? moved : throw new InvalidOperationException("the observer still runs on the primary silo");
            },
            Timeout,
            "us-east's observer to move off the primary silo");

        // The silos hold their own leases meanwhile; wait for the region to be leased everywhere again all the same.
        await Eventually.Succeeds(
            async () => (await Geo.Client(EuWest).GetGrain<IRegionHealthGrain>(0).GetView()).Suspects(UsEast)
                ? throw new InvalidOperationException("eu-west suspects us-east")
                : true,
            Timeout,
            "eu-west to hear us-east's moved observer");
        return view.Silo!;
    }

    private async Task WriteUntilStoppedAsync(string key, ConcurrentQueue<long> completed, CancellationToken stop)
    {
        var grain = Geo.Client(UsEast).GetGrain<ISiloWriterGrain>(key);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                // A call sent through the killed silo's gateway may never be answered: it is given up on, not waited for.
                await grain.Write().WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
                completed.Enqueue(Stopwatch.GetTimestamp());
            }
            catch (Exception)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
            }
        }
    }
}

/// <summary>A us-east geo grain whose writes tell which silo ran them.</summary>
public interface ISiloWriterGrain : IGrainWithStringKey
{
    /// <summary>Writes a new version; returns the address of the silo that ran the write.</summary>
    Task<string> Write();
}

[GeoGrain]
public sealed class SiloWriterGrain(ILocalSiloDetails silo) : GeoGrain<Grains.Count>, ISiloWriterGrain
{
    public async Task<string> Write()
    {
        await Update(c => c with { Value = c.Value + 1 });
        return silo.SiloAddress.ToString();
    }
}
