using System.Diagnostics;
using GeoGrains;
using GeoGrains.DevCluster;
using GeoGrains.DevCluster.Demo;

// A local multi-region GeoGrains cluster: every region a real Orleans cluster, linked by an emulated WAN.
DevClusterOptions options;
try
{
    options = DevClusterOptions.Parse(args);
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine(exception.Message);
    Console.Error.WriteLine(DevClusterOptions.Usage);
    return 2;
}

var uptime = Stopwatch.StartNew();
using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopping.Cancel();
};
if (options.Duration is { } duration)
{
    stopping.CancelAfter(duration);
}

Console.WriteLine($"GeoGrains dev cluster: {options.Regions.Count} regions ({string.Join(", ", options.Regions)}), {options.SilosPerRegion} silos each.");
try
{
    // Starting and the first measurement are not cut short by --duration: the RTT table is always printed.
    await using var cluster = await LocalGeoCluster.StartAsync(options, Console.WriteLine, CancellationToken.None);
    Console.WriteLine($"All regions up in {uptime.Elapsed.TotalSeconds:0.0} s.");
    Console.WriteLine();
    Console.Write(await RoundTripTable.MeasureAsync(cluster, options.Samples, TimeSpan.FromSeconds(60), CancellationToken.None));
    Console.WriteLine();
    Console.WriteLine(options.Duration is null ? "Running; press Ctrl+C to stop." : $"Running until {options.Duration.Value.TotalSeconds:0} s have passed.");
    var workload = DemoWorkload.RunAsync(cluster, stopping.Token);
    await LiveView.RunAsync(cluster, uptime, stopping.Token);
    await workload;
    Console.WriteLine("Stopping...");
}
catch (Exception exception) when (exception is GeoGrainsException or IOException or Orleans.Runtime.OrleansException)
{
    Console.Error.WriteLine($"The dev cluster failed: {exception.Message}");
    return 1;
}

Console.WriteLine("Stopped.");
return 0;
