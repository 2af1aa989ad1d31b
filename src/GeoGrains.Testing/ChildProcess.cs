using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace GeoGrains.Testing;

/// <summary>
/// A child process that the tests, the benchmarks or the dev cluster start (a silo, the dev cluster itself): its output
/// read line by line, kept and/or forwarded; its standard input held open on a pipe that is never written, so that
/// closing it asks a process started with <c>--exit-when-stdin-closes true</c> to stop (and the kernel closes it when the
/// parent dies, whatever the way); killed with its process tree when it does not stop in time.
/// </summary>
/// <remarks>
/// Internal to GeoGrains.Testing, which the test projects and the dev cluster already reference, and visible to them:
/// it is a tool of this repository, not a part of the testing API users compile against.
/// </remarks>
internal sealed class ChildProcess : IAsyncDisposable
{
    /// <summary>How long a graceful stop may take before the process is killed.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly int _keep;

    private ChildProcess(Process process, int keep, Action<string>? onOutput, Action<string>? onError)
    {
        _process = process;
        _keep = keep;
        process.OutputDataReceived += (_, e) => Receive(e.Data, onOutput);
        process.ErrorDataReceived += (_, e) => Receive(e.Data, onError);
        process.Start();
        Id = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Completes once the process has exited and its output is read to the end, so Output is then whole.
        Exited = process.WaitForExitAsync();
    }

    /// <summary>The process id (still known after the process exited).</summary>
    public int Id { get; }

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once <see cref="Exited"/> completed.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Completes when the process has exited and its output has been read to the end.</summary>
    public Task Exited { get; }

    /// <summary>The output kept so far, standard output and error interleaved as they came.</summary>
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

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/>, on workstation GC.</summary>
    /// <param name="fileName">The program: <c>dotnet</c>, or <c>taskset</c> to pin it to cores first.</param>
    /// <param name="arguments">Its arguments, each passed as one.</param>
    /// <param name="keep">How many characters of output <see cref="Output"/> keeps at most: all by default.</param>
    /// <param name="onOutput">Called with each line of standard output as it comes.</param>
    /// <param name="onError">Called with each line of standard error as it comes.</param>
    public static ChildProcess Start(
        string fileName, IEnumerable<string> arguments, int keep = int.MaxValue, Action<string>? onOutput = null, Action<string>? onError = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Many processes on one machine, or one on a core of its own: workstation GC keeps each one small.
        start.Environment["DOTNET_gcServer"] = "0";
        return new ChildProcess(new Process { StartInfo = start }, keep, onOutput, onError);
    }

    /// <summary>
    /// Asks this process alone to stop (SIGTERM), as a service manager would; the dev cluster and the silos stop on it
    /// exactly as on Ctrl+C. (SIGINT itself would be ignored when the tests run as a background job: such a job inherits
    /// SIGINT ignored, and .NET leaves it so.)
    /// </summary>
    /// <exception cref="InvalidOperationException">The signal could not be sent (the process is gone, or this is not a POSIX system).</exception>
    public void Terminate()
    {
        if (!ProcessSignals.Terminate(Id))
        {
            throw new InvalidOperationException($"could not send SIGTERM to process {Id}; has it exited? {_process.HasExited}\n{Output}");
        }
    }

    /// <summary>Waits until the output satisfies <paramref name="condition"/> (a ready line, say), looking every 200 ms.</summary>
    /// <returns>The output that satisfied it.</returns>
    /// <exception cref="TimeoutException">Not within <paramref name="timeout"/>; the message has the output so far.</exception>
    /// <exception cref="InvalidOperationException">The process exited without it; the message has the output.</exception>
    public async Task<string> WaitForOutputAsync(Func<string, bool> condition, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            // Read before the output: once the process has exited and its output is read, no line can come any more.
            var ended = Exited.IsCompleted;
            var output = Output;
            if (condition(output))
            {
                return output;
            }

            if (ended)
            {
                throw new InvalidOperationException($"The process exited ({ExitCode}) before {what}:\n{output}");
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for: {what}. Output so far:\n{Output}");
            }
        }
    }

    /// <summary>Waits for the process to exit on its own.</summary>
    /// <returns>Its exit code.</returns>
    /// <exception cref="TimeoutException">It took longer than <paramref name="timeout"/>; it was killed.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await Exited.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Kill();
            throw new TimeoutException($"{_process.StartInfo.FileName} {string.Join(' ', _process.StartInfo.ArgumentList)} did not exit within {timeout}:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Closes the process's standard input: a process started with <c>--exit-when-stdin-closes true</c> stops gracefully.</summary>
    public void CloseInput()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // It has exited already.
        }
    }

    /// <summary>Kills the process and its process tree at once, if it still runs.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception exception) when (exception is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Exited meanwhile, or already disposed.
        }
    }

    /// <summary>
    /// Stops the process: closes its input (<see cref="CloseInput"/>), and kills it with its process tree if it has not
    /// exited within <paramref name="grace"/>; returns once it has exited.
    /// </summary>
    /// <param name="grace">How long a graceful stop may take.</param>
    /// <param name="killing">Called before a kill, to say so.</param>
    public async Task StopAsync(TimeSpan grace, Action? killing = null)
    {
        CloseInput();
        try
        {
            await Exited.WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            killing?.Invoke();
            Kill();
            await Exited;
        }
    }

    /// <summary>Stops the process (<see cref="StopAsync"/>, with <see cref="StopGrace"/>) and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(StopGrace);
        _process.Dispose();
    }

    private void Receive(string? line, Action<string>? forward)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < _keep)
            {
                _output.AppendLine(line);
            }
        }

        forward?.Invoke(line);
    }
}
