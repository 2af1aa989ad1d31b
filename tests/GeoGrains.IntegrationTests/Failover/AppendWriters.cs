using System.Collections.Concurrent;
using GeoGrains.IntegrationTests.Grains;
using ReadLevel = GeoGrains.Consistency;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>One write a client saw acknowledged: which item it appended to which grain, how, where it ran, when the client saw it.</summary>
internal sealed record AcknowledgedAppend(string Key, int Item, Durability Durability, RegionId ExecutedIn, DateTimeOffset At);

/// <summary>
/// Clients that keep appending unique items to profile grains through a region while regions fail, and keep every
/// acknowledged append, so a test can count what the owner's state lost (nothing, for acknowledged writes).
/// </summary>
internal sealed class AppendWriters(Func<RegionId, IClusterClient> client)
{
    public ConcurrentQueue<AcknowledgedAppend> Acknowledged { get; } = new();

    /// <summary>Appends <paramref name="first"/>, <paramref name="first"/> + 1, … through <paramref name="via"/> until stopped; a failed call (unknown outcome) is not counted.</summary>
    public async Task RunAsync(string key, RegionId via, Durability durability, int first, CancellationToken stop)
    {
        for (var item = first; !stop.IsCancellationRequested; item++)
        {
            try
            {
                using var scope = GeoContext.Write(durability);
                var receipt = await client(via).GetGrain<IProfileGrain>(key).Append(item);
                Acknowledged.Enqueue(new AcknowledgedAppend(key, item, durability, receipt.ExecutedIn, DateTimeOffset.UtcNow));
            }
            catch (Exception)
            {
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }

    /// <summary>The grain's state, read at the owner through <paramref name="via"/>.</summary>
    public async Task<ProfileView> StrongReadAsync(RegionId via, string key)
    {
        using var scope = GeoContext.Read(ReadLevel.Strong);
        return await client(via).GetGrain<IProfileGrain>(key).Get();
    }

    /// <summary>
    /// Fails the test if an acknowledged append to <paramref name="key"/> (of those <paramref name="counted"/>, all by
    /// default) is missing from <paramref name="state"/>, or any item is there twice.
    /// </summary>
    public void AssertNothingLostOrDoubled(string key, ProfileView state, Func<AcknowledgedAppend, bool>? counted = null)
    {
        var missing = Acknowledged.Where(a => a.Key == key && (counted is null || counted(a))).Select(a => a.Item).Except(state.History).ToList();
        Assert.True(missing.Count == 0, $"'{key}' lost acknowledged writes {string.Join(", ", missing)}");
        Assert.Equal(state.History.Length, state.History.Distinct().Count());
    }
}
