using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GeoGrains.Testing.Azurite;

namespace GeoGrains.IntegrationTests.Storage;

/// <summary>Azurite as a child process: found, started, restarted with its data, and never left behind.</summary>
public sealed class AzuriteProcessTests
{
    [Fact]
    public async Task Dispose_ends_the_process_and_deletes_its_data_folder()
    {
        var azurite = await AzuriteProcess.StartNewAsync();
        var pid = azurite.ProcessId!.Value;
        var folder = azurite.DataDirectory;
        Assert.True(Directory.Exists(folder));

        await azurite.DisposeAsync();

        Assert.False(IsAlive(pid), $"Azurite (pid {pid}) outlived its disposal");
        Assert.False(Directory.Exists(folder));
        Assert.False(Accepts(azurite.Port));
    }

    [Fact]
    public async Task A_restart_listens_on_the_same_port_with_the_same_folder()
    {
        await using var azurite = await AzuriteProcess.StartNewAsync();
        var first = azurite.ProcessId;

        await azurite.StopAsync();
        Assert.False(azurite.IsRunning);
        Assert.False(Accepts(azurite.Port));
        await azurite.StartAsync();

        Assert.True(azurite.IsRunning);
        await Assert.ThrowsAsync<InvalidOperationException>(() => azurite.StartAsync());
        Assert.NotEqual(first, azurite.ProcessId);
        Assert.True(Accepts(azurite.Port));
    }

    [Fact]
    public async Task A_missing_executable_is_a_clear_error_not_a_skip()
    {
        using var _ = new EnvironmentVariable(AzuriteProcess.ExecutableVariable, "/nonexistent/azurite-table");

        var error = await Assert.ThrowsAsync<AzuriteNotInstalledException>(() => AzuriteProcess.StartNewAsync());

        Assert.Contains(AzuriteProcess.ExecutableVariable, error.Message);
        Assert.Contains("/nonexistent/azurite-table", error.Message);
    }

    [Fact]
    public async Task Without_node_the_error_says_to_install_it_and_run_npm_ci()
    {
        var empty = Directory.CreateTempSubdirectory("no-node-").FullName;
        try
        {
            using var path = new EnvironmentVariable("PATH", empty);

            var error = await Assert.ThrowsAsync<AzuriteNotInstalledException>(() => AzuriteProcess.StartNewAsync());

            Assert.Contains("Node.js", error.Message);
            Assert.Contains("npm ci", error.Message);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    private static bool IsAlive(int pid)
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

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Sets an environment variable for one test; the integration tests run one at a time.</summary>
    private sealed class EnvironmentVariable : IDisposable
    {
        private readonly string _name;
        private readonly string? _previous;

        public EnvironmentVariable(string name, string value)
        {
            _name = name;
            _previous = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }

        public void Dispose() => Environment.SetEnvironmentVariable(_name, _previous);
    }
}
