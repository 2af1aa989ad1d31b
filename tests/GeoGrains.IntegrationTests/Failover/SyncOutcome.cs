using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;
using ReadLevel = GeoGrains.Consistency;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>What the Sync-promise tests ask of a write and of the grain's new owner.</summary>
internal static class SyncOutcome
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>The write's typed failure, or null when it was acknowledged; anything else fails the test.</summary>
    public static async Task<Exception?> Of(Task<WriteReceipt> write)
    {
        try
        {
            await write;
            return null;
        }
        catch (Exception exception) when (exception is OwnershipLostException or ReplicationIncompleteException or RegionLeaseLapsedException)
        {
            return exception;
        }
    }

    /// <summary>The grain's state at its owner, read through <paramref name="via"/> once a strong read succeeds.</summary>
    public static Task<ProfileView> StrongReadAsync(GeoTestCluster geo, RegionId via, string key) =>
        Eventually.Succeeds(async () =>
        {
            using var scope = GeoContext.Read(ReadLevel.Strong);
            return await geo.Client(via).GetGrain<IProfileGrain>(key).Get();
        }, Timeout, $"a strong read of '{key}' through {via}");
}
