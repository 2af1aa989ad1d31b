using System.Collections.Immutable;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace GeoGrains.IntegrationTests.Grains;

public interface IProfileGrain : IGrainWithStringKey
{
    [ReadOnly]
    Task<ProfileView> Get();

    Task<WriteReceipt> Rename(string name);

    Task<WriteReceipt> Append(int item);

    /// <summary>A read-only method that tries to write: must be refused.</summary>
    [ReadOnly]
    Task SneakyWrite();
}

[GenerateSerializer, Immutable]
public sealed record ProfileView(
    [property: Id(0)] RegionId ServedBy,
    [property: Id(1)] long Version,
    [property: Id(2)] string Name,
    [property: Id(3)] ImmutableArray<int> History);

[GenerateSerializer, Immutable]
public sealed record WriteReceipt([property: Id(0)] RegionId ExecutedIn, [property: Id(1)] string ClusterId, [property: Id(2)] long Version);

public sealed record Profile(string Name, ImmutableList<int> History);

[GeoGrain]
public sealed class ProfileGrain(ILocalSiloDetails silo) : GeoGrain<Profile>, IProfileGrain
{
    protected override Profile CreateInitialState() => new(string.Empty, []);

    public Task<ProfileView> Get() => Task.FromResult(new ProfileView(Region, Version, State.Name, [.. State.History]));

    public async Task<WriteReceipt> Rename(string name)
    {
        await Update(s => s with { Name = name });
        return new WriteReceipt(Region, silo.ClusterId, Version);
    }

    public async Task<WriteReceipt> Append(int item)
    {
        await Update(s => s with { History = s.History.Add(item) });
        return new WriteReceipt(Region, silo.ClusterId, Version);
    }

    public Task SneakyWrite() => Update(s => s with { Name = "sneaky" });
}

/// <summary>Homed by a stable hash of its key rather than a region prefix.</summary>
public interface IHashedCounterGrain : IGrainWithStringKey
{
    Task<WriteReceipt> Increment();
}

public sealed record Count(int Value)
{
    public Count() : this(0)
    {
    }
}

[GeoGrain(Home = HomeBy.Hash)]
public sealed class HashedCounterGrain(ILocalSiloDetails silo) : GeoGrain<Count>, IHashedCounterGrain
{
    public async Task<WriteReceipt> Increment()
    {
        await Update(c => c with { Value = c.Value + 1 });
        return new WriteReceipt(Region, silo.ClusterId, Version);
    }
}

/// <summary>Derives from GeoGrain but forgot [GeoGrain]: must refuse to work.</summary>
public interface IUnregisteredGeoGrain : IGrainWithStringKey
{
    Task<long> Write();
}

public sealed class UnregisteredGeoGrain : GeoGrain<Count>, IUnregisteredGeoGrain
{
    public async Task<long> Write()
    {
        await Update(c => c with { Value = c.Value + 1 });
        return Version;
    }
}

/// <summary>Homed by a user function: the country code before ':' decides the region.</summary>
public interface ICountryHomedGrain : IGrainWithStringKey
{
    Task<WriteReceipt> Increment();
}

[GeoGrain(Home = HomeBy.Function, HomeFunction = HomeFunction)]
public sealed class CountryHomedGrain(ILocalSiloDetails silo) : GeoGrain<Count>, ICountryHomedGrain
{
    public const string HomeFunction = "by-country";

    public static RegionId HomeOf(string key) => key.Split(':')[0] switch
    {
        "de" or "fr" => "eu-west",
        "jp" or "au" => "apac-east",
        "us" => "us-east",
        var country => throw new ArgumentException($"no region serves country '{country}'"),
    };

    public async Task<WriteReceipt> Increment()
    {
        await Update(c => c with { Value = c.Value + 1 });
        return new WriteReceipt(Region, silo.ClusterId, Version);
    }
}
