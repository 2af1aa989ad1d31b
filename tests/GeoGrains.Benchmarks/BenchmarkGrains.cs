using Orleans.Concurrency;
using Orleans.Runtime;

namespace GeoGrains.Benchmarks;

/// <summary>A realistic JSON-like user profile: what a geo-distributed app would keep per user.</summary>
public sealed record BenchProfile(
    string Name,
    string Email,
    BenchAddress Address,
    IReadOnlyList<string> Preferences,
    int Visits,
    DateTimeOffset LastSeen)
{
    public BenchProfile()
        : this("Ada Lovelace", "ada.lovelace@example.com",
            new BenchAddress("12 St James's Square", "London", "SW1Y 4JH", "GB"),
            ["newsletter", "dark-mode", "metric-units", "language:en-GB"], 0, DateTimeOffset.UnixEpoch)
    {
    }
}

public sealed record BenchAddress(string Street, string City, string PostalCode, string Country);

public interface IBenchProfileGrain : IGrainWithStringKey
{
    Task<long> Visit();

    /// <summary>A read served by whichever activation the caller's region has: a replica outside the home region.</summary>
    [ReadOnly]
    Task<int> Visits();
}

/// <summary>The geo grain under test.</summary>
[GeoGrain]
public sealed class BenchProfileGrain(TimeProvider time) : GeoGrain<BenchProfile>, IBenchProfileGrain
{
    public async Task<long> Visit()
    {
        await Update(p => p with { Visits = p.Visits + 1, LastSeen = time.GetUtcNow() });
        return Version;
    }

    public Task<int> Visits() => Task.FromResult(State.Visits);
}

public interface IPlainProfileGrain : IGrainWithStringKey
{
    Task<long> Visit();

    /// <summary>The state the activation holds in memory; no storage access.</summary>
    [ReadOnly]
    Task<int> Visits();
}

/// <summary>The baseline: a plain Orleans grain doing the same write to the same regional storage.</summary>
public sealed class PlainProfileGrain([PersistentState("profile")] IPersistentState<BenchProfile> profile, TimeProvider time) : Grain, IPlainProfileGrain
{
    public async Task<long> Visit()
    {
        profile.State = profile.State with { Visits = profile.State.Visits + 1, LastSeen = time.GetUtcNow() };
        await profile.WriteStateAsync();
        return profile.State.Visits;
    }

    public Task<int> Visits() => Task.FromResult(profile.State.Visits);
}
