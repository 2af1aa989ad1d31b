using System.Diagnostics;
using System.Text;
using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.Processes;

/// <summary>
/// <c>dotnet some.dll ...</c> as a child process of the test: its output collected, its standard input held open until
/// <see cref="DisposeAsync"/> closes it (a silo started with <c>--exit-when-stdin-closes true</c> then stops), killed
/// with its process tree if it does not exit in time.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Task _pumps;

    private ChildProcess(Process process)
    {
        _process = process;
        _pumps = Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError));
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static ChildProcess Start(string assembly, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_gcServer"] = "0";
        return new ChildProcess(Process.Start(start)!);
    }

    /// <summary>
    /// Asks this process alone to stop (SIGTERM), as a service manager would; the dev cluster and the silos stop on it
    /// exactly as on Ctrl+C. (SIGINT itself would be ignored when the tests run as a background job: such a job inherits
    /// SIGINT ignored, and .NET leaves it so.)
    /// </summary>
    public void Terminate()
    {
        if (!ProcessSignals.Terminate(_process.Id))
        {
            throw new InvalidOperationException($"could not send SIGTERM to process {_process.Id}; has it exited? {_process.HasExited}\n{Output}");
        }
    }

    /// <summary>Waits until the output satisfies <paramref name="condition"/>; fails with the output so far after <paramref name="timeout"/>.</summary>
    public Task<string> WaitForOutputAsync(Func<string, bool> condition, TimeSpan timeout, string what) =>
        Eventually.Succeeds(
            () =>
            {
                var output = Output;
                return condition(output)
                    ? Task.FromResult(output)
                    : throw new InvalidOperationException(_process.HasExited ? $"the process exited ({_process.ExitCode}):\n{output}" : $"not yet:\n{output}");
            },
            timeout,
            what);

    /// <summary>Waits for the process to exit on its own; kills it and fails if it takes longer than <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', _process.StartInfo.ArgumentList)} did not exit within {timeout}:\n{Output}");
        }

        await _pumps;
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or InvalidOperationException)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
