using System.Collections.Concurrent;
using GeoGrains.Testing;

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

        // Forwarded, not kept: the console is where a dev cluster's silos speak, and it runs for as long as one likes.
        var process = ChildProcess.Start(
            "dotnet",
            [_siloAssembly, .. arguments, "--exit-when-stdin-closes", "true"],
            keep: 0,
            onOutput: line => Console.Out.WriteLine($"[{name}] {line}"),
            onError: line => Console.Error.WriteLine($"[{name}] {line}"));
        var child = new Child(name, process);
        _children.Add(child);
        _ = WatchAsync(child);
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

        await Task.WhenAll(_children.Select(child => child.Process.StopAsync(
            ChildProcess.StopGrace,
            killing: () => Console.Error.WriteLine(
                $"[supervisor] {child.Name} (process {child.Process.Id}) did not stop within {ChildProcess.StopGrace.TotalSeconds:0} s; killing it."))));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAllAsync();
        foreach (var child in _children)
        {
            await child.Process.DisposeAsync();
        }
    }

    private async Task WatchAsync(Child child)
    {
        await child.Process.Exited;
        if (!_stopping)
        {
            var exit = $"{child.Name} (process {child.Process.Id}) exited unexpectedly with code {child.Process.ExitCode}";
            Console.Error.WriteLine($"[supervisor] {exit}");
            _firstUnexpectedExit.TrySetResult(exit);
        }
    }

    private void KillNow()
    {
        _stopping = true;
        foreach (var child in _children)
        {
            child.Process.Kill();
        }
    }

    private sealed record Child(string Name, ChildProcess Process);
}
