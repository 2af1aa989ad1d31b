using System.Diagnostics;
using System.Text.RegularExpressions;
using GeoGrains.IntegrationTests.Processes;
using GeoGrains.Testing;

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
    public async Task Runs_every_silo_as_its_own_process_on_azurite_reports_a_dead_silo_and_stopping_leaves_no_process_behind()
    {
        await using var devCluster = ChildProcess.Start(
            "dotnet", [BuiltAssembly.DevCluster, "--storage", "azure", "--processes", "--base-port", "23500", "--samples", "3"]);

        // Every region up and replicating both ways before one silo process dies under it.
        var running = await devCluster.WaitForOutputAsync(
            output => output.Contains("us-east     US    geo-us-east      2/2 silos active")
                && output.Contains("apac-east   APAC  geo-apac-east    2/2 silos active")
                && LastApplied(output, "us-east", "eu-west") > 0
                && LastApplied(output, "eu-west", "us-east") > 0,
            TimeSpan.FromMinutes(3),
            "every region's silos active and changes applied between us-east and eu-west");
        Assert.Contains("each silo its own process, azure storage", running);
        var victim = int.Parse(Regex.Match(running, @"apac-east silo 2/2: process (\d+) ").Groups[1].Value);
        var appliedBefore = LastApplied(running, "us-east", "eu-west");
        using (var process = Process.GetProcessById(victim))
        {
            process.Kill();
        }

        // The supervisor says so, and the other regions carry on replicating.
        await devCluster.WaitForOutputAsync(
            output => output.Contains($"[supervisor] apac-east/2 (process {victim}) exited unexpectedly")
                && LastApplied(output, "us-east", "eu-west") > appliedBefore,
            TimeSpan.FromMinutes(2),
            "the supervisor's report of the dead silo, then more changes applied from us-east to eu-west");

        // Stopped (SIGTERM, handled as Ctrl+C): the dev cluster stops everything it started, and exits cleanly.
        devCluster.Terminate();
        var exitCode = await devCluster.WaitForExitAsync(TimeSpan.FromMinutes(2));
        var output = devCluster.Output;
        Assert.True(exitCode == 0, $"exit code {exitCode}\n{output}");
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

    /// <summary>The live view's latest count of changes applied from one region to another; 0 before the first view.</summary>
    private static long LastApplied(string output, string from, string to) =>
        Regex.Matches(output, $@"^    {from}\s+-> {to}\s+(\d+) applied", RegexOptions.Multiline) is { Count: > 0 } views
            ? long.Parse(views[^1].Groups[1].Value)
            : 0;

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
        await using var devCluster = ChildProcess.Start("dotnet", [BuiltAssembly.DevCluster, .. args]);
        var exitCode = await devCluster.WaitForExitAsync(TimeSpan.FromMinutes(3));
        return (exitCode, devCluster.Output);
    }
}
