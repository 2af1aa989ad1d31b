using System.Diagnostics;
using GeoGrains.Testing.Azurite;

namespace GeoGrains.DevCluster;

/// <summary>One Azurite per region: every region has its own Azure storage account, as in production.</summary>
internal sealed class RegionAzurites : IAsyncDisposable
{
    private readonly Dictionary<RegionId, AzuriteProcess> _accounts = [];
    private Process? _guard;

    private RegionAzurites()
    {
    }

    public AzuriteProcess this[RegionId region] => _accounts[region];

    /// <summary>Whether every region's Azurite still runs (Ctrl+C in a terminal reaches them too).</summary>
    public bool AllRunning => _accounts.Values.All(a => a.IsRunning);

    /// <summary>Starts the regions' Azurites side by side (each on a free loopback port, with a fresh data folder).</summary>
    /// <exception cref="AzuriteNotInstalledException">Node.js or Azurite is missing: run <c>npm ci</c> in the repository root.</exception>
    public static async Task<RegionAzurites> StartAsync(IReadOnlyList<RegionId> regions, Action<string> progress, CancellationToken cancellationToken)
    {
        var azurites = new RegionAzurites();
        var starts = regions.Select(async region =>
        {
            var azurite = await AzuriteProcess.StartNewAsync(cancellationToken: cancellationToken);
            lock (azurites._accounts)
            {
                azurites._accounts[region] = azurite;
            }

            progress($"  {region} storage: Azurite at {azurite.TableEndpoint} (process {azurite.ProcessId})");
        }).ToList();
        try
        {
            await Task.WhenAll(starts);
            azurites.StartGuard();
            return azurites;
        }
        catch
        {
            // Some may have started; none may outlive the dev cluster.
            await Task.WhenAll(starts.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));
            await azurites.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills every Azurite at once, for a dev cluster that is going down without a chance to stop them gracefully.</summary>
    public void KillNow()
    {
        foreach (var azurite in _accounts.Values)
        {
            if (azurite.ProcessId is { } id)
            {
                try
                {
                    using var process = Process.GetProcessById(id);
                    process.Kill(entireProcessTree: true);
                }
                catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // Exited meanwhile.
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The guard goes first: it must not act on processes that are being stopped the ordinary way.
        if (_guard is { } guard)
        {
            try
            {
                guard.Kill(entireProcessTree: true);
                await guard.WaitForExitAsync();
            }
            catch (InvalidOperationException)
            {
                // It has exited already.
            }

            guard.Dispose();
        }

        await Task.WhenAll(_accounts.Values.Select(a => a.DisposeAsync().AsTask()));
    }

    /// <summary>
    /// Starts a shell that waits for its standard input, a pipe from this process, to close, then interrupts the
    /// Azurites: when the dev cluster is killed outright (no handler runs), the kernel closes the pipe and the Azurites
    /// still stop, saving their data on SIGINT.
    /// </summary>
    private void StartGuard()
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var argument in new[] { "-c", "read -r _; kill -INT \"$@\" 2>/dev/null", "azurite-guard" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var id in _accounts.Values.Select(a => a.ProcessId).OfType<int>())
        {
            start.ArgumentList.Add(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        _guard = Process.Start(start);
    }
}
