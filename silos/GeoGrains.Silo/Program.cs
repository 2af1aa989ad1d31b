using GeoGrains.Silo;
using Microsoft.Extensions.Hosting;

// One silo of one region. Example, the default topology's eu-west primary silo:
//   dotnet run --project silos/GeoGrains.Silo -- --region eu-west --silo-port 11211 --gateway-port 30100
using var host = RegionSiloHost.CreateBuilder(args).Build();
await host.RunAsync();
