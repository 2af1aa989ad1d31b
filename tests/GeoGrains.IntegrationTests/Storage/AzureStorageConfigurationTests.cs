using GeoGrains.Configuration;
using System.Net;
using System.Net.Sockets;
using GeoGrains.Runtime.Topology;
using GeoGrains.Testing;
using GeoGrains.Testing.Azurite;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;

namespace GeoGrains.IntegrationTests.Storage;

/// <summary>A silo whose Azure storage cannot work refuses to start, naming its region and the setting to fix.</summary>
public sealed class AzureStorageConfigurationTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_malformed_connection_string_is_refused_naming_the_region_and_the_setting()
    {
        var error = await StartSiloExpectingFailure("us-east", s => s.ConnectionString = "AccountName=devstoreaccount1;AccountKey");

        AssertNames(error, "us-east", "GeoGrains:Storage:ConnectionString", "not a valid Azure Storage connection string");
    }

    [Fact]
    public async Task An_unreachable_account_is_refused_naming_the_region_and_the_setting()
    {
        var closedPort = LoopbackPort.Free();
        var error = await StartSiloExpectingFailure(
            "eu-west", s => s.ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={AzuriteProcess.AccountName};AccountKey={AzuriteProcess.AccountKey};TableEndpoint=http://127.0.0.1:{closedPort}/{AzuriteProcess.AccountName}");

        AssertNames(error, "eu-west", "GeoGrains:Storage:ConnectionString", $"127.0.0.1:{closedPort}");
        Assert.DoesNotContain(AzuriteProcess.AccountKey, error.ToString());
    }

    [Fact]
    public async Task Provider_AzureTable_without_an_account_is_refused_naming_the_settings()
    {
        var error = await StartSiloExpectingFailure("apac-east", _ => { });

        AssertNames(error, "apac-east", "GeoGrains:Storage:ConnectionString", "GeoGrains:Storage:ServiceUri");
    }

    [Fact]
    public async Task An_invalid_table_name_is_refused_naming_the_setting()
    {
        var error = await StartSiloExpectingFailure("us-east", s =>
        {
            s.ConnectionString = fixture.Azurite.ConnectionString;
            s.TableName = "geo_grains";
        });

        AssertNames(error, "us-east", "GeoGrains:Storage:TableName", "'geo_grains'");
    }

    [Fact]
    public async Task Two_regions_on_the_same_account_and_table_are_refused()
    {
        var shared = new Action<RegionStorageOptions>(s =>
        {
            s.ConnectionString = fixture.Azurite.ConnectionString;
            s.TableName = "sharedbytworegions";
        });
        using var first = Silo("us-east", shared);
        await first.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        try
        {
            var error = await StartSiloExpectingFailure("eu-west", shared);

            AssertNames(error, "eu-west", "storage of region 'us-east'", "'sharedbytworegions'", fixture.Azurite.TableEndpoint.ToString());
        }
        finally
        {
            await first.StopAsync();
        }
    }

    private static void AssertNames(InvalidTopologyException error, params string[] expected)
    {
        foreach (var words in expected)
        {
            Assert.True(error.Message.Contains(words, StringComparison.Ordinal), $"'{error.Message}' does not contain '{words}'");
        }
    }

    private static async Task<InvalidTopologyException> StartSiloExpectingFailure(string region, Action<RegionStorageOptions> storage)
    {
        using var host = Silo(region, storage);
        var error = await Record.ExceptionAsync(() => host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        await host.StopAsync(CancellationToken.None).ContinueWith(_ => { });

        Assert.NotNull(error);
        return ExceptionChain.Find<InvalidTopologyException>(error)
            ?? throw new Xunit.Sdk.XunitException($"Expected InvalidTopologyException, got {error}");
    }

    private static IHost Silo(string region, Action<RegionStorageOptions> storage)
    {
        var topology = GeoTopology.DefaultOptions();
        var port = 41100;
        foreach (var r in topology.Regions)
        {
            r.Gateways.Add($"127.0.0.1:{port++}");
        }

        return new HostBuilder()
            .UseOrleans(silo => silo
                .UseLocalhostClustering(LoopbackPort.Free(), LoopbackPort.Free(), clusterId: $"geo-{region}", serviceId: "azure-config")
                .AddGeoGrains(o =>
                {
                    o.Region = region;
                    o.Topology = topology;
                    o.Storage.Provider = RegionStorageProvider.AzureTable;
                    storage(o.Storage);
                })
                .AddRegionGrainStorageAsDefault())
            .Build();
    }
}
