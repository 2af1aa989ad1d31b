using GeoGrains;
using GeoGrains.Silo;
using Microsoft.Extensions.Hosting;

// One silo of one region. Example, the default topology's eu-west primary silo:
//   dotnet run --project silos/GeoGrains.Silo -- --region eu-west --silo-port 11211 --gateway-port 30100
// With the region's storage on Azure, its silos cluster through the membership table on that account:
//   dotnet run --project silos/GeoGrains.Silo -- --region eu-west --storage azure --storage-connection-string "..."
try
{
    using var host = RegionSiloHost.CreateBuilder(args).Build();
    await host.RunAsync();
    return 0;
}
catch (Exception exception) when (Refusal(exception) is { } refusal)
{
    Console.Error.WriteLine($"GeoGrains.Silo cannot start: {refusal.Message}");
    return 2;
}

// A configuration the silo refuses (by a startup check deep in Orleans, too), as opposed to a crash.
static Exception? Refusal(Exception exception) => exception switch
{
    InvalidTopologyException or ArgumentException => exception,
    AggregateException aggregate => aggregate.InnerExceptions.Select(Refusal).FirstOrDefault(e => e is not null),
    { InnerException: { } inner } => Refusal(inner),
    _ => null,
};
