using GeoGrains;
using GeoGrains.Client;
using GeoGrains.Silo.Demo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// The regions come from configuration, e.g. command-line arguments:
//   --GeoGrains:Client:Regions:0:Name us-east --GeoGrains:Client:Regions:0:Gateways:0 127.0.0.1:30000 ...
//   --visits 3 --grain us-east/sample
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseGeoGrainsClient();
using var host = builder.Build();
await host.StartAsync();

var geo = host.Services.GetRequiredService<IGeoClient>();
var grains = host.Services.GetRequiredService<IClusterClient>();
var visits = int.Parse(builder.Configuration["visits"] ?? "3", System.Globalization.CultureInfo.InvariantCulture);
var key = builder.Configuration["grain"] ?? "us-east/sample";

Console.WriteLine($"Connected to region: {geo.CurrentRegion?.Value ?? "none"}");
foreach (var region in geo.Regions)
{
    Console.WriteLine($"Region {region.Region}: {(region.Healthy ? "healthy" : "down")}, round trip {region.RoundTrip?.TotalMilliseconds:0.0} ms");
}

try
{
    var probe = await grains.GetGrain<IRegionProbeGrain>(0).Probe();
    Console.WriteLine($"Probe answered by region: {probe.Region}");

    var grain = grains.GetGrain<IDemoProfileGrain>(key);
    for (var i = 0; i < visits; i++)
    {
        using var scope = GeoContext.Read(Consistency.Session);
        var visit = await grain.Visit(geo.CurrentRegion ?? probe.Region);
        Console.WriteLine($"Visit {i + 1}: version {visit.Version}, owner {scope.Last?.Owner.Value ?? "?"}");
    }

    Console.WriteLine($"Session token: {geo.ExportSession()}");
    await host.StopAsync();
    return 0;
}
catch (GeoGrainsException exception)
{
    Console.WriteLine($"Failed: {exception.GetType().Name}: {exception.Message}");
    await host.StopAsync();
    return 1;
}
