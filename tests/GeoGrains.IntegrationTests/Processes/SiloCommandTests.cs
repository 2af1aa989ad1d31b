using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.Processes;

/// <summary>A silo process refuses storage settings that cannot work at once, naming the region and the setting.</summary>
public sealed class SiloCommandTests
{
    [Fact]
    public async Task Azure_storage_without_a_connection_string_exits_2_naming_the_region_and_the_setting()
    {
        var (exitCode, output) = await RunAsync("--region", "eu-west", "--storage", "azure");

        Assert.True(exitCode == 2, $"exit code {exitCode}\n{output}");
        Assert.Contains("region 'eu-west'", output);
        Assert.Contains("GeoGrains:Storage:ConnectionString", output);
    }

    [Fact]
    public async Task A_malformed_connection_string_exits_2_naming_the_region_and_the_setting_but_not_the_string()
    {
        var (exitCode, output) = await RunAsync("--region", "us-east", "--storage", "azure", "--storage-connection-string", "AccountName=x;AccountKey=secret-key-text");

        Assert.True(exitCode == 2, $"exit code {exitCode}\n{output}");
        Assert.Contains("region 'us-east'", output);
        Assert.Contains("GeoGrains:Storage:ConnectionString is not a valid Azure Storage connection string", output);
        Assert.DoesNotContain("secret-key-text", output);
    }

    [Fact]
    public async Task An_unknown_storage_provider_exits_2_naming_the_setting()
    {
        var (exitCode, output) = await RunAsync("--region", "us-east", "--storage", "cosmos");

        Assert.True(exitCode == 2, $"exit code {exitCode}\n{output}");
        Assert.Contains("GeoGrains:Storage:Provider (--storage) 'cosmos' is not a storage provider", output);
    }

    [Fact]
    public async Task A_second_silo_process_of_a_region_on_memory_storage_exits_2_since_the_store_would_not_be_shared()
    {
        var (exitCode, output) = await RunAsync("--region", "us-east", "--storage", "memory", "--silo-port", "11112", "--primary-silo-port", "11111");

        Assert.True(exitCode == 2, $"exit code {exitCode}\n{output}");
        Assert.Contains("region 'us-east'", output);
        Assert.Contains("--primary-silo-port", output);
        Assert.Contains("--storage azure", output);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        await using var silo = ChildProcess.Start("dotnet", [BuiltAssembly.Silo, .. args]);
        var exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, silo.Output);
    }
}
