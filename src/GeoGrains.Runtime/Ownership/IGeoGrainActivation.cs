namespace GeoGrains.Runtime.Ownership;

/// <summary>What the call router needs of a geo grain activation.</summary>
internal interface IGeoGrainActivation
{
    GeoGrainRegistration Registration { get; }

    void RefreshFromStore();

    void BeginWrite(GrainOwnership ownership);

    void EndWrite();
}
