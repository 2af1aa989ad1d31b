namespace GeoGrains.Simulation;

/// <summary>
/// The nemesis's faults of single silos (<see cref="SimulationOptions.SiloFaultRate"/> of its steps, when regions have
/// more than one silo): crash a random live silo, crash the silo that runs the region's observer (it moves to another
/// after <see cref="SimulationOptions.ObserverMoveMin"/> to <see cref="SimulationOptions.ObserverMoveMax"/>), wipe a
/// silo (it dies and starts again at once with empty memory: the region's table stays), or restart a crashed silo. The
/// region's last live silo is never crashed alone: that is a crash of the region, which the nemesis has already.
/// </summary>
internal static class SimSiloFaults
{
    public static void Step(SimWorld world)
    {
        var sim = world.Sim;
        var up = world.Regions.Where(r => r.Node is not null).ToList();
        string what;
        if (up.Count == 0)
        {
            what = "silo fault (no region up)";
        }
        else
        {
            var region = up[sim.Random.Next(up.Count)];
            var node = region.Node!;
            var live = node.Silos.Where(s => s.IsUp).ToList();
            var down = node.Silos.Where(s => !s.IsUp).ToList();
            var roll = sim.Random.Next(100);
            if (roll < 30 && down.Count > 0 || live.Count == 1)
            {
                if (down.Count == 0)
                {
                    what = $"restart a silo of {region.Id} (all up)";
                }
                else
                {
                    var back = down[sim.Random.Next(down.Count)];
                    node.RestartSilo(back.Index);
                    what = $"restart {node.Silos[back.Index]}";
                }
            }
            else if (roll < 55 && node.Observer is { } observer)
            {
                node.CrashSilo(observer.Host.Index);
                what = $"crash {observer.Host} (runs the observer)";
            }
            else if (roll < 75)
            {
                var victim = live[sim.Random.Next(live.Count)];
                var observed = node.Observer?.Host == victim;
                node.CrashSilo(victim.Index);
                node.RestartSilo(victim.Index);
                what = $"wipe {victim}{(observed ? " (ran the observer)" : string.Empty)}: restarted as {node.Silos[victim.Index]}";
            }
            else
            {
                var victim = live[sim.Random.Next(live.Count)];
                var observed = node.Observer?.Host == victim;
                node.CrashSilo(victim.Index);
                what = $"crash {victim}{(observed ? " (runs the observer)" : string.Empty)}";
            }
        }

        sim.Trace($"nemesis: {what} (silos down: {Describe(world)})");
    }

    /// <summary>Every crashed silo of a region that is up starts again (the final heal).</summary>
    public static void RestartAll(SimWorld world)
    {
        foreach (var node in world.Regions.Select(r => r.Node).OfType<SimNode>())
        {
            foreach (var silo in node.Silos.Where(s => !s.IsUp).ToList())
            {
                node.RestartSilo(silo.Index);
            }
        }
    }

    private static string Describe(SimWorld world)
    {
        var down = world.Regions.Where(r => r.Node is not null).SelectMany(r => r.Node!.Silos.Where(s => !s.IsUp).Select(s => s.ToString())).ToList();
        return down.Count == 0 ? "none" : string.Join(",", down);
    }
}
