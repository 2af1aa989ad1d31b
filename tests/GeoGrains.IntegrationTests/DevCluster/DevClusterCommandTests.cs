using System.Diagnostics;
using System.Text.RegularExpressions;
using GeoGrains.IntegrationTests.Processes;

namespace GeoGrains.IntegrationTests.DevCluster;

/// <summary>Runs the dev cluster as the README tells users to, as its own process, and checks what it prints.</summary>
public sealed class DevClusterCommandTests
{
    [Fact]
    public async Task Runs_three_regions_prints_the_round_trip_table_and_exits_0_after_its_duration()
    {
        var (exitCode, output) = await RunAsync("--duration", "20", "--base-port", "23000", "--samples", "3");

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{output}");
        Assert.Contains("Round trips between regions", output);
        foreach (var pair in new[] { "us-east     eu-west", "eu-west     apac-east", "apac-east   us-east" })
        {
            Assert.Contains(pair, output);
        }

        Assert.Contains("us-east     US    geo-us-east      2/2 silos active", output);
        Assert.Contains("apac-east   APAC  geo-apac-east    2/2 silos active", output);
        Assert.Contains("replication (demo workload", output);
        Assert.Matches(@"us-east\s+-> eu-west\s+[1-9]\d* applied", output);
        Assert.Contains("Stopped.", output);
    }

    [Fact]
    public async Task Bad_options_exit_2_with_a_message_naming_the_problem()
    {
        var (exitCode, output) = await RunAsync("--regions", "us-east,moon-base");

        Assert.Equal(2, exitCode);
        Assert.Contains("'moon-base' is not a region of the default topology", output);
        Assert.Contains("Usage:", output);
    }

    [Fact]
    public async Task Runs_every_silo_as_its_own_process_on_azurite_reports_a_dead_silo_and_leaves_no_process_behind()
    {
        await using var devCluster = ChildProcess.Start(
            BuiltAssembly.DevCluster, "--storage", "azure", "--processes", "--duration", "20", "--base-port", "23500", "--samples", "3");

        // Once it runs, one silo process dies under it: the supervisor must say so, and the other regions carry on.
        var victim = await Eventually.Succeeds(
            () =>
            {
                var started = devCluster.Output;
                return started.Contains("Running for 20 s.")
                    ? Task.FromResult(int.Parse(Regex.Match(started, @"apac-east silo 2/2: process (\d+) ").Groups[1].Value))
                    : throw new InvalidOperationException($"not running yet:\n{started}");
            },
            TimeSpan.FromMinutes(2),
            "the dev cluster to start its regions");
        using (var process = Process.GetProcessById(victim))
        {
            process.Kill();
        }

        var exitCode = await devCluster.WaitForExitAsync(TimeSpan.FromMinutes(2));
        var output = devCluster.Output;

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{output}");
        Assert.Contains("each silo its own process, azure storage", output);
        Assert.Contains("us-east     US    geo-us-east      2/2 silos active", output);
        Assert.Contains("apac-east   APAC  geo-apac-east    2/2 silos active", output);
        Assert.Contains($"[supervisor] apac-east/2 (process {victim}) exited unexpectedly", output);
        Assert.Matches(@"us-east\s+-> eu-west\s+[1-9]\d* applied", output);
        Assert.Matches(@"eu-west\s+-> us-east\s+[1-9]\d* applied", output);
        Assert.Contains("Stopped.", output);

        // Three Azurites and six silo processes, each reported with its process id; none may outlive the dev cluster.
        var children = Regex.Matches(output, @"^  \S+ (?:storage: Azurite at \S+ \(process (?<pid>\d+)\)|silo \d+/\d+: process (?<pid>\d+) )", RegexOptions.Multiline)
            .Select(m => int.Parse(m.Groups["pid"].Value))
            .ToList();
        Assert.Equal(9, children.Count);
        Assert.All(children, pid => Assert.False(IsRunning(pid), $"process {pid} still runs after the dev cluster exited\n{output}"));
    }

    [Fact]
    public async Task Processes_without_azure_storage_exit_2_naming_the_problem()
    {
        var (exitCode, output) = await RunAsync("--processes", "--storage", "memory");

        Assert.Equal(2, exitCode);
        Assert.Contains("--processes needs --storage azure", output);
        Assert.Contains("Usage:", output);
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        await using var devCluster = ChildProcess.Start(BuiltAssembly.DevCluster, args);
        var exitCode = await devCluster.WaitForExitAsync(TimeSpan.FromMinutes(3));
        return (exitCode, devCluster.Output);
    }
}
