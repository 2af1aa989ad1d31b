using System.Diagnostics;
using System.Reflection;
using System.Text;

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

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(DevClusterAssembly());
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var stdout = PumpAsync(process.StandardOutput, output);
        var stderr = PumpAsync(process.StandardError, output);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The dev cluster did not exit within 3 minutes:\n{output}");
        }

        await Task.WhenAll(stdout, stderr);
        return (process.ExitCode, output.ToString());
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (into) into.AppendLine(line);
        }
    }

    private static string DevClusterAssembly()
    {
        var configuration = typeof(DevClusterCommandTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "GeoGrains.sln")))
        {
            root = root.Parent;
        }

        var path = Path.Combine(root!.FullName, "silos", "GeoGrains.DevCluster", "bin", configuration, "net10.0", "GeoGrains.DevCluster.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first: the dev cluster is not built.", path);
    }
}
