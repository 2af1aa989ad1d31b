using System.Runtime.InteropServices;

namespace GeoGrains.Testing.Azurite;

/// <summary>
/// Sends SIGINT to one process, as Ctrl+C would, but to that process alone rather than to its whole process group.
/// .NET can only kill (SIGKILL); a process that saves or cleans up on Ctrl+C needs the real signal. Linux and macOS only.
/// </summary>
internal static class Interrupt
{
    private const int SigInt = 2;

    /// <summary>Returns false when the signal could not be sent (the process is gone, or this is not a POSIX system).</summary>
    public static bool Send(int processId) => !OperatingSystem.IsWindows() && SendSignal(processId, SigInt) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
