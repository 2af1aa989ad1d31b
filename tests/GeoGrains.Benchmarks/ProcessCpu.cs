using System.Diagnostics;
using System.Globalization;

namespace GeoGrains.Benchmarks;

/// <summary>
/// CPU time used so far by this process (client and every region's silos) and by other processes of the run (each
/// region's Azurite), read from <c>/proc</c>: on a machine whose cores every region shares, where a write's cost goes.
/// </summary>
internal static class ProcessCpu
{
    private static readonly double TicksPerSecond = ClockTicks();

    /// <summary>CPU time of this process.</summary>
    public static TimeSpan Self()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>CPU time of process <paramref name="pid"/> (user + system), or zero when there is no such process or no <c>/proc</c>.</summary>
    public static TimeSpan Of(int? pid)
    {
        if (pid is not { } id || !File.Exists($"/proc/{id}/stat"))
        {
            return TimeSpan.Zero;
        }

        // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 14th and 15th fields.
        var stat = File.ReadAllText($"/proc/{id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>
    /// Gives process <paramref name="pid"/> (one this run started) the lowest CPU priority (nice 19), every thread of it
    /// (Linux keeps a nice value per thread; threads started later inherit their creator's), so that it runs only on CPU
    /// nothing else wants: as if it had a machine of its own, as far as one shared machine allows.
    /// </summary>
    /// <exception cref="InvalidOperationException">The priority could not be changed.</exception>
    public static void LowestPriority(int? pid)
    {
        if (pid is not { } id || !Directory.Exists($"/proc/{id}/task"))
        {
            throw new InvalidOperationException($"Could not lower the priority of process {pid?.ToString(CultureInfo.InvariantCulture) ?? "(none)"}: it is not running.");
        }

        foreach (var task in Directory.EnumerateDirectories($"/proc/{id}/task"))
        {
            var thread = uint.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
            if (SetPriority(0 /* PRIO_PROCESS: on Linux, one thread */, thread, 19) != 0 && Directory.Exists(task))
            {
                throw new InvalidOperationException($"Could not lower the priority of thread {thread} of process {id} (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}).");
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, uint who, int priority);

    // USER_HZ is 100 on every Linux the tests run on; getconf confirms it where available.
    private static double ClockTicks()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false });
            if (getconf is not null && double.TryParse(getconf.StandardOutput.ReadToEnd().Trim(), CultureInfo.InvariantCulture, out var hz) && hz > 0)
            {
                getconf.WaitForExit();
                return hz;
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No getconf: assume the usual value.
        }

        return 100;
    }
}
