using System.Collections.Concurrent;
using System.Diagnostics;

namespace GeoGrains.DevCluster;

/// <summary>
/// Runs silo processes (<c>dotnet GeoGrains.Silo.dll ...</c>): forwards their output line by line with a prefix naming
/// the silo, reports a process that exits while it should be running, and stops them all, gracefully first.
/// </summary>
/// <remarks>
/// Every child is started with <c>--exit-when-stdin-closes true</c> and its standard input on a pipe the supervisor
/// never writes to. Closing the pipe asks the silo to stop gracefully; and when the dev cluster ends in any way, crashes
/// and kills included, the kernel closes the pipe, so no silo outlives it. A child that does not stop within the grace
/// period is killed with its whole process tree.
/// </remarks>
internal sealed class SiloSupervisor : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(20);

    private readonly ConcurrentBag<Child> _children = [];
    private readonly TaskCompletionSource<string> _firstUnexpectedExit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _siloAssembly;
    private volatile bool _stopping;

    public SiloSupervisor(string siloAssembly)
    {
        _siloAssembly = File.Exists(siloAssembly)
            ? siloAssembly
            : throw new FileNotFoundException($"The silo assembly {siloAssembly} is missing; build silos/GeoGrains.DevCluster (it copies GeoGrains.Silo.dll next to itself).", siloAssembly);

        // Last resorts for a dev cluster that goes down without disposing: the stdin pipe stops the silos anyway, but a
        // kill is immediate.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillNow();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillNow();
    }

    /// <summary>Completes with a description of the first child that exited while it should have been running.</summary>
    public Task<string> FirstUnexpectedExit => _firstUnexpectedExit.Task;

    /// <summary>Starts one silo process; its output lines are written to the console prefixed with <c>[name]</c>.</summary>
    /// <returns>The id of the started process.</returns>
    public int Start(string name, IEnumerable<string> arguments)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(_siloAssembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--exit-when-stdin-closes");
        start.ArgumentList.Add("true");

        // Many silos on one machine: workstation GC keeps each process small.
        start.Environment["DOTNET_gcServer"] = "0";

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Forward(name, e.Data, Console.Out);
        process.ErrorDataReceived += (_, e) => Forward(name, e.Data, Console.Error);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var child = new Child(name, process);
        child.Exited = WatchAsync(child);
        _children.Add(child);
        return process.Id;
    }

    /// <summary>
    /// Stops every child: closes their input (a graceful stop), then kills what is still running after the grace period;
    /// or, when <paramref name="graceful"/> is false (their storage is gone, so they could not stop gracefully), kills them at once.
    /// </summary>
    public async Task StopAllAsync(bool graceful = true)
    {
        _stopping = true;
        if (!graceful)
        {
            KillNow();
        }

        foreach (var child in _children)
        {
            try
            {
                child.Process.StandardInput.Close();
            }
            catch (Exception exception) when (exception is IOException or InvalidOperationException or ObjectDisposedException)
            {
                // It has exited already.
            }
        }

        var all = Task.WhenAll(_children.Select(c => c.Exited));
        if (await Task.WhenAny(all, Task.Delay(StopGrace)) != all)
        {
            foreach (var child in _children.Where(c => !c.Exited.IsCompleted))
            {
                Console.Error.WriteLine($"[supervisor] {child.Name} (process {child.Id}) did not stop within {StopGrace.TotalSeconds:0} s; killing it.");
                Kill(child);
            }

            await all;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAllAsync();
        foreach (var child in _children)
        {
            child.Process.Dispose();
        }
    }

    private async Task WatchAsync(Child child)
    {
        await child.Process.WaitForExitAsync();
        if (!_stopping)
        {
            var exit = $"{child.Name} (process {child.Id}) exited unexpectedly with code {child.Process.ExitCode}";
            Console.Error.WriteLine($"[supervisor] {exit}");
            _firstUnexpectedExit.TrySetResult(exit);
        }
    }

    private void KillNow()
    {
        _stopping = true;
        foreach (var child in _children)
        {
            Kill(child);
        }
    }

    private static void Kill(Child child)
    {
        try
        {
            if (!child.Process.HasExited)
            {
                child.Process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Exited meanwhile, or already disposed.
        }
    }

    private static void Forward(string name, string? line, TextWriter to)
    {
        if (line is not null)
        {
            to.WriteLine($"[{name}] {line}");
        }
    }

    private sealed class Child(string name, Process process)
    {
        public string Name { get; } = name;

        public Process Process { get; } = process;

        public int Id { get; } = process.Id;

        public Task Exited { get; set; } = Task.CompletedTask;
    }
}
