using Azure.Data.Tables;
using GeoGrains.Configuration;
using GeoGrains.Silo.Demo;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.Processes;

/// <summary>Two <c>GeoGrains.Silo</c> processes of one region form one cluster through Azure table membership on the region's account.</summary>
public sealed class RegionOfSiloProcessesTests(RegionOfSiloProcessesFixture fixture) : IClassFixture<RegionOfSiloProcessesFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Both_silo_processes_are_active_in_the_membership_table_on_the_regions_account()
    {
        var membership = new TableServiceClient(fixture.UsEastStorage.ConnectionString).GetTableClient(new RegionStorageOptions().MembershipTableName);

        var activePorts = await Eventually.Succeeds(async () =>
        {
            var ports = new List<int>();
            await foreach (var row in membership.QueryAsync<TableEntity>(e => e.PartitionKey == "geo-us-east"))
            {
                if (row.GetString("Status") == "Active")
                {
                    ports.Add(int.Parse(row.GetString("Port")));
                }
            }

            return ports.Order().SequenceEqual(fixture.UsEastSiloPorts.Order())
                ? ports
                : throw new InvalidOperationException($"active silos on ports [{string.Join(", ", ports)}]");
        }, Patience, $"both us-east silo processes Active in the membership table\n{fixture.Output}");

        Assert.Equal(2, activePorts.Count);
    }

    [Fact]
    public async Task Writes_from_another_region_reach_geo_grains_on_both_silo_processes()
    {
        var expected = fixture.UsEastProcessIds.ToHashSet();
        var visits = new List<DemoVisit>();
        var key = 0;

        // Each new key is a new activation in us-east, placed on either of its silos; keep writing until both took some.
        await Eventually.Succeeds(async () =>
        {
            var visit = await fixture.EuWestClient.GetGrain<IDemoProfileGrain>($"us-east/visitor-{key++}").Visit(EuWest);
            visits.Add(visit);
            return visits.Select(v => v.Where.ProcessId).ToHashSet().SetEquals(expected)
                ? true
                : throw new InvalidOperationException($"writes ran in processes [{string.Join(", ", visits.Select(v => v.Where.ProcessId).Distinct())}]");
        }, Patience, $"writes homed in us-east on both of its silo processes {string.Join(", ", expected)}\n{fixture.Output}");

        Assert.All(visits, v =>
        {
            Assert.Contains(v.Where.ProcessId, expected);
            Assert.Equal(1, v.Version);
        });
        Assert.Equal(
            fixture.UsEastSiloPorts.Order(),
            visits.Select(v => Orleans.Runtime.SiloAddress.FromParsableString(v.Where.Silo).Endpoint.Port).Distinct().Order());
    }
}
