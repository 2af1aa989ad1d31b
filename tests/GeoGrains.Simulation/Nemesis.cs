namespace GeoGrains.Simulation;

/// <summary>
/// The fault schedule, drawn from the seed: one-way link cuts, partitions, the isolation of a region, crashes (storage
/// kept) and restarts, and heals, separated by random pauses; at the end everything heals and every crashed region restarts.
/// </summary>
internal sealed class Nemesis(SimWorld world)
{
    public void Step()
    {
        var sim = world.Sim;
        var regions = world.Regions;
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

        world.Sim.Trace("nemesis: final heal, every region up");
    }

    private SimRegion Other(SimRegion region)
    {
        var others = world.Regions.Where(r => r != region).ToList();
        return others[world.Sim.Random.Next(others.Count)];
    }
}
