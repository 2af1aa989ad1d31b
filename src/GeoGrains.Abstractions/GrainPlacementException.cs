namespace GeoGrains;

/// <summary>A geo grain's key cannot be given a home region: it is malformed, or names a region the topology lacks.</summary>
[GenerateSerializer]
public sealed class GrainPlacementException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    public GrainPlacementException(string key, string reason) : base($"Cannot place geo grain key '{key}': {reason}")
    {
        Key = key;
    }

    /// <summary>The key that could not be placed.</summary>
    [Id(0)]
    public string Key { get; }
}
