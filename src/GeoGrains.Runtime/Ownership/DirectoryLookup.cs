namespace GeoGrains.Runtime.Ownership;

/// <summary>A directory's answer about one grain's override.</summary>
/// <param name="Ownership">The grain's override, or <see langword="null"/> when it has none (its partition's owner owns it).</param>
/// <param name="At">The directory's position when it answered: the answer reflects every change up to it.</param>
[GenerateSerializer, Immutable]
internal sealed record DirectoryLookup([property: Id(0)] GrainOwnership? Ownership, [property: Id(1)] DirectoryCursor At);
