using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Data.Tables;

namespace GeoGrains.Testing.Azurite;

/// <summary>
/// Azurite's Table service (the local Azure Storage emulator) running as a child process on a free loopback port, with
/// its own data folder: an Azure storage account for tests. It can be stopped and started again on the same port and
/// folder with its data kept, as an outage of the account would look.
/// </summary>
/// <remarks>
/// <para>
/// Azurite comes from the repository's <c>package.json</c>: run <c>npm ci</c> in the repository root once. The
/// executable is <c>node_modules/.bin/azurite-table</c> of the first folder at or above
/// <see cref="AppContext.BaseDirectory"/> that has one, or the file named by the environment variable
/// <see cref="ExecutableVariable"/>. Without Node.js or Azurite, <see cref="StartNewAsync"/> throws
/// <see cref="AzuriteNotInstalledException"/>.
/// </para>
/// <para>
/// Azurite keeps tables in memory and saves them to its folder every 5 seconds and when it closes on SIGINT (SIGTERM or a
/// kill would lose what it acknowledged since the last save), so <see cref="StopAsync"/> sends SIGINT and waits for the
/// process to exit. That needs a Unix signal: Linux and macOS only.
/// </para>
/// </remarks>
public sealed class AzuriteProcess : IAsyncDisposable
{
    /// <summary>The environment variable that, when set, names the <c>azurite-table</c> executable to run.</summary>
    public const string ExecutableVariable = "GEOGRAINS_AZURITE_TABLE";

    /// <summary>Azurite's well-known development account.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known development account key (public, the same in every Azurite).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private static readonly ConcurrentDictionary<AzuriteProcess, byte> Running = new();

    private readonly string _executable;
    private readonly bool _ownsDataDirectory;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Process? _process;
    private bool _disposed;

    static AzuriteProcess() =>
        // The last resort against orphans: a test run that ends without disposing still takes its Azurites with it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var azurite in Running.Keys)
            {
                azurite.KillNow();
            }
        };

    private AzuriteProcess(string executable, string dataDirectory, bool ownsDataDirectory, int port)
    {
        _executable = executable;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
        Port = port;
        TableEndpoint = new Uri($"http://127.0.0.1:{port}/{AccountName}");
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};TableEndpoint={TableEndpoint}";
    }

    /// <summary>The loopback port Azurite listens on; the same after a restart.</summary>
    public int Port { get; }

    /// <summary>The folder Azurite keeps its data in; the same after a restart.</summary>
    public string DataDirectory { get; }

    /// <summary>The Table service endpoint, <c>http://127.0.0.1:{port}/devstoreaccount1</c>.</summary>
    public Uri TableEndpoint { get; }

    /// <summary>The connection string of the account (well-known development key, table endpoint only).</summary>
    public string ConnectionString { get; }

    /// <summary>The id of the running Azurite process, or <see langword="null"/> while it is stopped.</summary>
    public int? ProcessId => _process is { HasExited: false } process ? process.Id : null;

    /// <summary>Whether the process is running (between a start and a stop).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// Starts Azurite on a free loopback port with a new data folder (deleted by <see cref="DisposeAsync"/>, or
    /// <paramref name="dataDirectory"/>, which is kept), and returns once it answers a table request.
    /// </summary>
    /// <exception cref="AzuriteNotInstalledException">Node.js or Azurite is not installed: run <c>npm ci</c> in the repository root.</exception>
    /// <exception cref="PlatformNotSupportedException">The platform is Windows.</exception>
    /// <exception cref="InvalidOperationException">Azurite exited before it answered; the message has its output.</exception>
    /// <exception cref="TimeoutException">Azurite did not answer within 60 seconds.</exception>
    public static async Task<AzuriteProcess> StartNewAsync(string? dataDirectory = null, CancellationToken cancellationToken = default)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException(
                "AzuriteProcess stops Azurite with SIGINT so that it saves its data, which Windows cannot send to a console child; run the tests on Linux, macOS or WSL.");
        }

        var executable = FindExecutable();
        var owns = dataDirectory is null;
        dataDirectory ??= Path.Combine(Path.GetTempPath(), $"geograins-azurite-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory);
        var azurite = new AzuriteProcess(executable, dataDirectory, owns, LoopbackPort.Free());
        try
        {
            await azurite.StartAsync(cancellationToken);
            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts Azurite again after <see cref="StopAsync"/>, on the same port and data folder, and waits until it answers.</summary>
    /// <exception cref="InvalidOperationException">It is running already, or it exited before it answered (the message has its output).</exception>
    /// <exception cref="TimeoutException">Azurite did not answer within 60 seconds.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (IsRunning)
            {
                throw new InvalidOperationException($"Azurite on port {Port} is running already.");
            }

            _output.Clear();
            _process = Launch();
            Running[this] = 0;
            try
            {
                await WaitUntilReadyAsync(_process, cancellationToken);
            }
            catch
            {
                KillNow();
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Stops Azurite the way that keeps every acknowledged write: SIGINT, then waits until it has saved its data and
    /// exited. Requests fail with a refused connection from then on, until <see cref="StartAsync"/>.
    /// </summary>
    /// <exception cref="TimeoutException">Azurite did not exit within 30 seconds of SIGINT; it was killed, and writes since its last save may be lost.</exception>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await StopCoreAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops Azurite (gracefully, else killed) and deletes its data folder if this instance created it. Leaves no process behind.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                await StopCoreAsync(CancellationToken.None);
            }
            catch (TimeoutException)
            {
                // Killed instead; the data is deleted below or was the caller's to keep.
            }

            if (_ownsDataDirectory)
            {
                try
                {
                    Directory.Delete(DataDirectory, recursive: true);
                }
                catch (IOException)
                {
                    // A temp folder left behind is harmless.
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"Azurite Table service at {TableEndpoint} (data in {DataDirectory})";

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        if (_process is not { } process)
        {
            return;
        }

        try
        {
            if (!process.HasExited && !ProcessSignals.Interrupt(process.Id))
            {
                process.Kill(entireProcessTree: true);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StopTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                throw new TimeoutException(
                    $"Azurite on port {Port} did not exit within {StopTimeout.TotalSeconds:0} s of SIGINT and was killed; writes since its last save may be lost. Output:{Environment.NewLine}{Output()}");
            }
        }
        finally
        {
            if (process.HasExited)
            {
                Running.TryRemove(this, out _);
                _process = null;
                process.Dispose();
            }
        }
    }

    private Process Launch()
    {
        var start = new ProcessStartInfo(_executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            WorkingDirectory = DataDirectory,
        };
        foreach (var argument in new[]
                 {
                     "--tableHost", "127.0.0.1",
                     "--tablePort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--location", DataDirectory,
                     "--silent",
                     "--skipApiVersionCheck",
                     "--disableProductStyleUrl",
                     "--loose",
                     "--disableTelemetry",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            process.Dispose();
            throw new AzuriteNotInstalledException(
                $"Could not run Azurite ({_executable}): {exception.Message}. Run `npm ci` in the repository root (Node.js 20 or later must be on PATH).");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitUntilReadyAsync(Process process, CancellationToken cancellationToken)
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(2);
        var client = new TableServiceClient(ConnectionString, options);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ReadyTimeout);
        Exception? last = null;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"Azurite exited with code {process.ExitCode} before it answered on port {Port}. Output:{Environment.NewLine}{Output()}");
            }

            try
            {
                // A real, authenticated table request: listing tables proves the service and the account are up.
                await using var pages = client.QueryAsync(maxPerPage: 1, cancellationToken: deadline.Token).AsPages().GetAsyncEnumerator(deadline.Token);
                await pages.MoveNextAsync();
                return;
            }
            catch (Exception exception) when (!deadline.IsCancellationRequested)
            {
                last = exception;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        throw new TimeoutException(
            $"Azurite on port {Port} did not answer a table request within {ReadyTimeout.TotalSeconds:0} s. Last error: {last?.Message}. Output:{Environment.NewLine}{Output()}");
    }

    private void KillNow()
    {
        try
        {
            if (_process is { HasExited: false } process)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 100 && _output.TryDequeue(out _))
        {
        }
    }

    private string Output() => _output.IsEmpty ? "(none)" : string.Join(Environment.NewLine, _output);

    /// <summary>Finds <c>azurite-table</c>: the environment variable's file, else the nearest <c>node_modules/.bin</c> above the tests.</summary>
    private static string FindExecutable()
    {
        if (Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? RequireNode(configured)
                : throw new AzuriteNotInstalledException($"{ExecutableVariable} names '{configured}', which does not exist; point it at an azurite-table executable or unset it.");
        }

        string? repository = null;
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "node_modules", ".bin", "azurite-table");
            if (File.Exists(candidate))
            {
                return RequireNode(candidate);
            }

            if (repository is null && File.Exists(Path.Combine(directory.FullName, "package.json")))
            {
                repository = directory.FullName;
            }
        }

        throw new AzuriteNotInstalledException(repository is null
            ? $"Azurite is not installed: no node_modules/.bin/azurite-table at or above {AppContext.BaseDirectory}. Run `npm ci` in the repository root, or set {ExecutableVariable} to an azurite-table executable."
            : $"Azurite is not installed: run `npm ci` in {repository} (the repository root), or set {ExecutableVariable} to an azurite-table executable.");
    }

    /// <summary>azurite-table is a Node.js script: without node on PATH it cannot start, and the shell's error would be cryptic.</summary>
    private static string RequireNode(string executable)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        if (!path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, "node"))))
        {
            throw new AzuriteNotInstalledException(
                "Node.js is not installed (no 'node' on PATH), and Azurite runs on it: install Node.js 20 or later, then run `npm ci` in the repository root.");
        }

        return executable;
    }
}
