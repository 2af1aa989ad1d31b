namespace GeoGrains;

/// <summary>
/// A geo operation was asked of a grain that is not a registered geo grain: its class does not derive from
/// <c>GeoGrain&lt;TState&gt;</c>, or lacks <see cref="GeoGrainAttribute"/>.
/// </summary>
[GenerateSerializer]
public sealed class GeoGrainNotRegisteredException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    public GeoGrainNotRegisteredException(string grainType, string reason)
        : base($"Grain type '{grainType}' is not a registered geo grain: {reason}")
    {
        GrainType = grainType;
    }

    /// <summary>The grain type.</summary>
    [Id(0)]
    public string GrainType { get; }
}
