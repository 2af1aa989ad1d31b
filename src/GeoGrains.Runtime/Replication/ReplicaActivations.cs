using GeoGrains.Runtime.Storage;
using System.Collections.Concurrent;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// The geo grain activations of this silo, so that the replication receiver can hand a warm activation the version it
/// just applied (no storage read when the activation is next asked) without activating grains nobody is using.
/// </summary>
internal sealed class ReplicaActivations
{
    private readonly ConcurrentDictionary<GrainId, IReplicaActivation> _activations = new();

    public void Add(IReplicaActivation activation) => _activations[activation.GrainId] = activation;

    public void Remove(IReplicaActivation activation) =>
        _activations.TryRemove(new KeyValuePair<GrainId, IReplicaActivation>(activation.GrainId, activation));

    /// <summary>Hands each applied version to the activation of its grain on this silo, if there is one.</summary>
    public void Deliver(IEnumerable<(GrainId Grain, StoredGeoRecord Stored)> applied)
    {
        foreach (var (grain, stored) in applied)
        {
            if (_activations.TryGetValue(grain, out var activation))
            {
                activation.Accept(stored);
            }
        }
    }
}
