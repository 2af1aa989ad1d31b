
namespace GeoGrains.Simulation;

/// <summary>
/// The fault schedule, drawn from the seed: one-way link cuts, partitions, the isolation of a region, crashes (storage
/// kept) and restarts, crashes, wipes and restarts of single silos (<see cref="SimSiloFaults"/>), planned moves (a drain
/// or a restore of a random region, asked of a random live region's observer: <c>ChangeTenure</c>, as
/// <c>DrainRegionAsync</c> and <c>RestoreRegionAsync</c> do), rehomes (a random grain to a random region other than its
/// owner as the asked region sees it, asked of a random live region: <c>GeoAdminGrain.Rehome</c>, as <c>RehomeAsync</c>
/// does; the hand-off's messages, its answers included, are subject to the same faults, and half the time the new
/// owner's link back to the owner is cut within 400 ms, so that answers are lost after the request landed), and heals,
/// separated by random pauses; at the end everything heals and every crashed region restarts.
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
        else if (roll < 92 && world.Options.Rehomes)
        {
            var grain = world.Grains[sim.Random.Next(world.Grains.Count)];
            var up = regions.Where(r => r.Node is not null).ToList();
            if (up.Count == 0)
            {
                what = $"rehome {grain} (no region up to ask)";
            }
            else
            {
                var asked = up[sim.Random.Next(up.Count)];
                var node = asked.Node!;
                var owner = node.SiloFor(grain)!.Ownership.Resolve(grain).Owner;
                var others = regions.Where(r => r.Id != owner).ToList();
                var to = others[sim.Random.Next(others.Count)].Id;
                node.Context.Run(() => _ = RehomeAsync(node, grain, to));
                what = $"rehome {grain} (owner {owner} as {asked.Id} sees it) to {to} asked of {asked.Id}";

                // Half the time the link back from the new owner is cut a moment later: the hand-off's copy or merge may
                // reach it while the answer is lost (1% loss alone would make that rare), and the old owner steps down in doubt.
                if (world.Options.RehomeAnswerCuts && to != owner && sim.Chance(0.5))
                {
                    var (from, back) = (world[to], world[owner]);
                    var after = sim.Between(TimeSpan.Zero, TimeSpan.FromMilliseconds(400));
                    sim.After(after, () =>
                    {
                        world.Network.Cut(from, back);
                        sim.Trace($"nemesis: cut {from.Id}->{back.Id} (the rehome's answers)");
                    });
                    what += $", answers cut after {after.TotalMilliseconds:F0} ms";
                }
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

    private async Task RehomeAsync(SimNode node, SimGrain grain, RegionId to)
    {
        try
        {
            var owner = await node.Admin.Rehome(grain, to);
            world.Sim.Trace($"{node.Region.Id}: rehome of {grain} to {to} done: {owner.Owner} under epoch {owner.Epoch:x}");
        }
        catch (Exception exception) when (exception is RegionUnreachableException or OwnershipMovedException or RegionLeaseLapsedException)
        {
            world.Sim.Trace($"{node.Region.Id}: rehome of {grain} to {to} failed: {exception.GetType().Name}: {exception.Message}");
        }
    }

    private SimRegion Other(SimRegion region)
    {
        var others = world.Regions.Where(r => r != region).ToList();
        return others[world.Sim.Random.Next(others.Count)];
    }
}
