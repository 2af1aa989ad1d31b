using Orleans.Runtime;
using Orleans.Storage;

namespace GeoGrains.Runtime.Storage;

/// <summary>Enlists a grain storage chosen at run time in the silo lifecycle if it takes part in it.</summary>
internal sealed class GrainStorageLifecycle(IGrainStorage storage) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) => (storage as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
}
