using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using GeoGrains.Runtime.Topology;
using GeoGrains.Testing;
using GeoGrains.Testing.Azurite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.Processes;

/// <summary>
/// us-east as two <c>GeoGrains.Silo</c> processes on one Azurite (Azure table membership), eu-west as one silo process
/// on in-memory storage, and an Orleans client of eu-west: started once for the test class.
/// </summary>
public sealed class RegionOfSiloProcessesFixture : IAsyncLifetime
{
    public const string ServiceId = "geograins-processes";

    private readonly List<ChildProcess> _silos = [];
    private string _work = null!;
    private IHost? _client;

    public AzuriteProcess UsEastStorage { get; private set; } = null!;

    /// <summary>The process ids of the two us-east silos.</summary>
    public IReadOnlyList<int> UsEastProcessIds => [.. _silos.Take(2).Select(s => s.Id)];

    public IReadOnlyList<int> UsEastSiloPorts { get; private set; } = [];

    public IClusterClient EuWestClient => _client!.Services.GetRequiredService<IClusterClient>();

    public string Output => string.Join("\n", _silos.Select((s, i) => $"--- silo process {i} (pid {s.Id}) ---\n{s.Output}"));

    public async Task InitializeAsync()
    {
        UsEastStorage = await AzuriteProcess.StartNewAsync();
        _work = Directory.CreateTempSubdirectory("geograins-processes-").FullName;
        int[] usEastSilo = [LoopbackPort.Free(), LoopbackPort.Free()];
        int[] usEastGateway = [LoopbackPort.Free(), LoopbackPort.Free()];
        int euWestSilo = LoopbackPort.Free(), euWestGateway = LoopbackPort.Free();
        UsEastSiloPorts = usEastSilo;
        var topology = GeoTopology.Default.Subset([UsEast, EuWest])
            .WithGateways(UsEast, usEastGateway.Select(p => new IPEndPoint(IPAddress.Loopback, p)))
            .WithGateways(EuWest, [new IPEndPoint(IPAddress.Loopback, euWestGateway)]);
        var topologyFile = Path.Combine(_work, "topology.json");
        await File.WriteAllTextAsync(topologyFile, JsonSerializer.Serialize(topology.ToOptions()));

        string[] common = ["--topology-file", topologyFile, "--exit-when-stdin-closes", "true", "--Orleans:ServiceId", ServiceId];
        for (var i = 0; i < 2; i++)
        {
            _silos.Add(ChildProcess.Start("dotnet",
            [
                BuiltAssembly.Silo,
                "--region", "us-east", "--silo-port", $"{usEastSilo[i]}", "--gateway-port", $"{usEastGateway[i]}",
                "--storage", "azure", "--storage-connection-string", UsEastStorage.ConnectionString, .. common,
            ]));
        }

        _silos.Add(ChildProcess.Start("dotnet",
            [BuiltAssembly.Silo, "--region", "eu-west", "--silo-port", $"{euWestSilo}", "--gateway-port", $"{euWestGateway}", "--storage", "memory", .. common]));

        _client = new HostBuilder()
            .UseOrleansClient(c => c
                .UseStaticClustering([new IPEndPoint(IPAddress.Loopback, euWestGateway)])
                .Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = topology[EuWest].ClusterId;
                    o.ServiceId = ServiceId;
                })
                .UseConnectionRetryFilter((_, _) => Task.FromResult(_silos.All(s => !s.HasExited))))
            .Build();
        using var connecting = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await _client.StartAsync(connecting.Token);
        }
        catch (Exception exception)
        {
            throw new InvalidOperationException($"No client could connect to eu-west's silo process.\n{Output}", exception);
        }
    }

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.StopAsync(CancellationToken.None).ContinueWith(_ => { });
            _client.Dispose();
        }

        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await UsEastStorage.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }
}
