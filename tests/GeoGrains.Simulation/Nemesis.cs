namespace GeoGrains.Simulation;

/// <summary>
/// The fault schedule, drawn from the seed: one-way link cuts, partitions, the isolation of a region, crashes (storage
/// kept) and restarts, crashes, wipes and restarts of single silos (<see cref="SimSiloFaults"/>), planned moves (a drain or a restore of a random region, asked of a random live region's observer:
/// <c>ChangeTenure</c>, as <c>DrainRegionAsync</c> and <c>RestoreRegionAsync</c> do), and heals, separated by random
/// pauses; at the end everything heals and every crashed region restarts.
/// </summary>
internal sealed class Nemesis(SimWorld world)
{
    public void Step()
    {
        var sim = world.Sim;
        var regions = world.Regions;
        if (world.Options.Silos > 1 && sim.Chance(world.Options.SiloFaultRate))
        {
            SimSiloFaults.Step(world);
            return;
        }

        var roll = sim.Random.Next(100);
        string what;
        if (roll < 12)
        {
            var from = regions[sim.Random.Next(regions.Count)];
            var to = Other(from);
            world.Network.Cut(from, to);
            what = $"cut {from.Id}->{to.Id}";
        }
        else if (roll < 27)
        {
            // A random split into two non-empty sides.
            var side = regions.Select(_ => sim.Random.Next(2) == 0).ToList();
            if (side.All(s => s) || side.All(s => !s))
            {
                side[sim.Random.Next(side.Count)] = !side[0];
            }

            foreach (var a in regions)
            {
                foreach (var b in regions.Where(b => side[b.Index] != side[a.Index]))
                {
                    world.Network.Cut(a, b);
                }
            }

            what = $"partition {string.Join(",", regions.Where(r => side[r.Index]).Select(r => r.Id))} | {string.Join(",", regions.Where(r => !side[r.Index]).Select(r => r.Id))}";
        }
        else if (roll < 50)
        {
            var isolated = regions[sim.Random.Next(regions.Count)];
            foreach (var other in regions.Where(r => r != isolated))
            {
                world.Network.Cut(isolated, other);
                world.Network.Cut(other, isolated);
            }

            what = $"isolate {isolated.Id}";
        }
        else if (roll < 60)
        {
            var victim = regions[sim.Random.Next(regions.Count)];
            what = victim.IsUp ? $"crash {victim.Id}" : $"crash {victim.Id} (down already)";
            world.Crash(victim);
        }
        else if (roll < 72)
        {
            var down = regions.Where(r => !r.IsUp).ToList();
            if (down.Count > 0)
            {
                var back = down[sim.Random.Next(down.Count)];
                world.Restart(back);
                what = $"restart {back.Id}";
            }
            else
            {
                world.Network.HealAll();
                what = "heal";
            }
        }
        else if (roll < 82 && world.Options.PlannedMoves)
        {
            // A drain (or a restore) of a random region, asked of a random live region: an operator's call.
            var away = roll < 77;
            var subject = regions[sim.Random.Next(regions.Count)];
            var up = regions.Where(r => r.Node is not null).ToList();
            if (up.Count == 0)
            {
                what = $"{(away ? "drain" : "restore")} {subject.Id} (no region up to ask)";
            }
            else
            {
                var asked = up[sim.Random.Next(up.Count)];
                var node = asked.Node!;
                node.Health.Context.Run(() => _ = ChangeTenureAsync(node, subject.Id, away));
                what = $"{(away ? "drain" : "restore")} {subject.Id} asked of {asked.Id}";
            }
        }
        else
        {
            world.Network.HealAll();
            what = "heal";
        }

        sim.Trace($"nemesis: {what} ({world.Network.Describe()}; down: {string.Join(",", regions.Where(r => !r.IsUp).Select(r => r.Id))})");
    }

    public void HealEverything()
    {
        world.Network.HealAll();
        foreach (var region in world.Regions.Where(r => !r.IsUp))
        {
            world.Restart(region);
        }

        SimSiloFaults.RestartAll(world);

        world.Sim.Trace("nemesis: final heal, every region up");
    }

    private async Task ChangeTenureAsync(SimNode node, RegionId subject, bool away)
    {
        try
        {
            await node.Health.ChangeTenure(subject, away);
            world.Sim.Trace($"{node.Region.Id}: {(away ? "drain" : "restore")} of {subject} done");
        }
        catch (Exception exception) when (exception is InvalidOperationException or RegionUnreachableException)
        {
            world.Sim.Trace($"{node.Region.Id}: {(away ? "drain" : "restore")} of {subject} refused: {exception.Message}");
        }
    }

    private SimRegion Other(SimRegion region)
    {
        var others = world.Regions.Where(r => r != region).ToList();
        return others[world.Sim.Random.Next(others.Count)];
    }
}
