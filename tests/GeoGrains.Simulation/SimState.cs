using System.Text;

namespace GeoGrains.Simulation;

/// <summary>
/// The simulated grains' state: the values of every write in the version's history, space-separated, so that a checker can
/// tell from any stored version which writes it contains.
/// </summary>
internal static class SimState
{
    public static byte[] Append(byte[]? state, string value) =>
        Encoding.UTF8.GetBytes(state is null || state.Length == 0 ? value : $"{Encoding.UTF8.GetString(state)} {value}");

    public static HashSet<string> Values(byte[] state) =>
        state.Length == 0 ? [] : [.. Encoding.UTF8.GetString(state).Split(' ')];
}
