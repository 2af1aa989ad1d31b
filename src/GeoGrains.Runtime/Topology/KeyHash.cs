namespace GeoGrains.Runtime.Topology;

/// <summary>A stable 32-bit FNV-1a hash: the same key hashes the same in every process and version, so that every region puts a key in the same bucket (Orleans' own StableHash is a different function; changing it would move every key to another partition).</summary>
internal static class KeyHash
{
    /// <summary>The hash of <paramref name="key"/>.</summary>
    public static uint Of(string key)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
