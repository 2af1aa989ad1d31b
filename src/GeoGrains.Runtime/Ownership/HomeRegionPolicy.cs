using GeoGrains.Runtime.Topology;

namespace GeoGrains.Runtime.Ownership;

/// <summary>Chooses the home region of a geo grain from its key.</summary>
internal abstract class HomeRegionPolicy
{
    /// <summary>The home region of <paramref name="key"/>.</summary>
    /// <exception cref="GrainPlacementException">The key cannot be placed.</exception>
    public abstract RegionId HomeOf(string key);

    public static HomeRegionPolicy For(GeoGrainAttribute attribute, GeoTopology topology, IReadOnlyDictionary<string, Func<string, RegionId>> functions, string grainClass) =>
        attribute.Home switch
        {
            HomeBy.KeyPrefix => new KeyPrefixPolicy(topology),
            HomeBy.Hash => new HashPolicy(topology),
            HomeBy.Function when attribute.HomeFunction is { } name && functions.TryGetValue(name, out var function) => new FunctionPolicy(topology, name, function),
            HomeBy.Function => throw new GeoGrainNotRegisteredException(
                grainClass, $"its home function '{attribute.HomeFunction}' is not registered in GeoGrainsOptions.HomeFunctions."),
            _ => throw new GeoGrainNotRegisteredException(grainClass, $"home policy {attribute.Home} is not supported."),
        };

    private sealed class KeyPrefixPolicy(GeoTopology topology) : HomeRegionPolicy
    {
        public override RegionId HomeOf(string key)
        {
            var slash = key.IndexOf('/');
            if (slash <= 0 || slash == key.Length - 1)
            {
                throw new GrainPlacementException(key, "it has no region prefix; expected '<region>/<id>', e.g. 'eu-west/alice'.");
            }

            var prefix = key[..slash];
            if (!RegionId.TryParse(prefix, out var region) || !topology.Contains(region))
            {
                throw new GrainPlacementException(key, $"it names region '{prefix}', which is not in the topology ({string.Join(", ", topology.RegionIds)}).");
            }

            return region;
        }
    }

    private sealed class HashPolicy(GeoTopology topology) : HomeRegionPolicy
    {
        public override RegionId HomeOf(string key)
        {
            if (string.IsNullOrEmpty(key))
            {
                throw new GrainPlacementException(key, "it is empty.");
            }

            return topology.Regions[(int)(KeyHash.Of(key) % (uint)topology.Regions.Count)].Id;
        }
    }

    private sealed class FunctionPolicy(GeoTopology topology, string name, Func<string, RegionId> function) : HomeRegionPolicy
    {
        public override RegionId HomeOf(string key)
        {
            RegionId region;
            try
            {
                region = function(key);
            }
            catch (Exception exception) when (exception is not GrainPlacementException)
            {
                throw new GrainPlacementException(key, $"home function '{name}' failed: {exception.Message}");
            }

            if (region.Value is null || !topology.Contains(region))
            {
                throw new GrainPlacementException(key, $"home function '{name}' chose region '{region}', which is not in the topology.");
            }

            return region;
        }
    }
}
