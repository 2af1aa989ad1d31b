using System.Runtime.InteropServices;

namespace GeoGrains.Testing;

/// <summary>
/// Sends a POSIX signal to one process (not its process group). .NET can only kill (SIGKILL); a process that saves or
/// cleans up when asked to stop needs the real signal. Linux and macOS only.
/// </summary>
internal static class ProcessSignals
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    /// <summary>SIGINT, as Ctrl+C. A process started where SIGINT is ignored (a background job of a non-interactive shell) inherits that, and .NET keeps it ignored.</summary>
    /// <returns>False when the signal could not be sent (the process is gone, or this is not a POSIX system).</returns>
    public static bool Interrupt(int processId) => Send(processId, SigInt);

    /// <summary>SIGTERM, as a service manager stops a process; never inherited as ignored.</summary>
    /// <returns>False when the signal could not be sent (the process is gone, or this is not a POSIX system).</returns>
    public static bool Terminate(int processId) => Send(processId, SigTerm);

    private static bool Send(int processId, int signal) => !OperatingSystem.IsWindows() && SendSignal(processId, signal) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
