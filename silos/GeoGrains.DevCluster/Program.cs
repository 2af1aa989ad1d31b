using System.Diagnostics;
using System.Runtime.InteropServices;
using GeoGrains;
using GeoGrains.DevCluster;
using GeoGrains.DevCluster.Demo;
using GeoGrains.Testing.Azurite;

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

// Ctrl+C and SIGTERM stop the dev cluster the same way: children and Azurites are stopped before it exits.
using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupted.Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    interrupted.Cancel();
});

var where = options.Processes ? "each silo its own process" : "all silos in this process";
Console.WriteLine(
    $"GeoGrains dev cluster: {options.Regions.Count} regions ({string.Join(", ", options.Regions)}), {options.SilosPerRegion} silos each, {where}, {options.Storage.ToString().ToLowerInvariant()} storage.");
try
{
    // --duration counts from when every region is up, so the workload always runs that long; Ctrl+C stops at any point.
    await using IDevCluster cluster = options.Processes
        ? await ProcessGeoCluster.StartAsync(options, Console.WriteLine, interrupted.Token)
        : await LocalGeoCluster.StartAsync(options, Console.WriteLine, interrupted.Token);
    Console.WriteLine($"All regions up in {uptime.Elapsed.TotalSeconds:0.0} s.");
    Console.WriteLine();
    Console.Write(await RoundTripTable.MeasureAsync(cluster, options.Samples, TimeSpan.FromSeconds(60), interrupted.Token));
    Console.WriteLine();
    using var stopping = CancellationTokenSource.CreateLinkedTokenSource(interrupted.Token);
    if (options.Duration is { } duration)
    {
        stopping.CancelAfter(duration);
    }

    Console.WriteLine(options.Duration is null ? "Running; press Ctrl+C to stop." : $"Running for {options.Duration.Value.TotalSeconds:0} s.");
    var workload = DemoWorkload.RunAsync(cluster, stopping.Token);
    await LiveView.RunAsync(cluster, uptime, stopping.Token);
    await workload;
    Console.WriteLine("Stopping...");
}
catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
{
    Console.WriteLine("Interrupted; stopped what had started.");
}
catch (Exception exception) when (exception is GeoGrainsException or IOException or TimeoutException or AzuriteNotInstalledException or Orleans.Runtime.OrleansException)
{
    Console.Error.WriteLine($"The dev cluster failed: {exception.Message}");
    return 1;
}

Console.WriteLine("Stopped.");
return 0;
