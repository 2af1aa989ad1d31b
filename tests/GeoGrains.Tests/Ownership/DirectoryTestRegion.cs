using GeoGrains.Configuration;
using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Topology;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Serialization;

namespace GeoGrains.Tests.Ownership;

/// <summary>One region's directory on an in-memory table, without a cluster: what the directory grain runs, called directly.</summary>
internal sealed class DirectoryTestRegion
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    private readonly RegionStorageMetrics _metrics = new();

    public DirectoryTestRegion(RegionId id, int logRetention = 100_000, int maxCachedOverrides = 100_000)
    {
        Id = id;
        Account = new RegionStorageAccount(id);
        MaxCachedOverrides = maxCachedOverrides;
        Table = new CountingTable(new MemoryRegionTable(Account, _metrics));
        Store = new DirectoryStore(Table, Serializer, new OwnershipDirectoryOptions { LogRetention = logRetention, MaxCachedOverrides = maxCachedOverrides });
        Directory = new OwnershipDirectory(Store, maxCachedOverrides, NullLogger.Instance);
        Grain = new InProcessDirectoryGrain(this);
    }

    public RegionId Id { get; }

    public int MaxCachedOverrides { get; }

    public RegionStorageAccount Account { get; }

    public CountingTable Table { get; }

    public DirectoryStore Store { get; }

    /// <summary>The current activation of the directory.</summary>
    public OwnershipDirectory Directory { get; private set; }

    /// <summary>The directory grain as silos and other regions call it.</summary>
    public InProcessDirectoryGrain Grain { get; }

    /// <summary>Storage round trips so far.</summary>
    public RegionStorageTraffic Traffic => _metrics.Get(Id);

    public static GrainId GrainOf(int user) => GrainId.Create("profile", $"us-east/user-{user}");

    public static HomePartition PartitionOf(int user) => HomePartition.Of("us-east", $"us-east/user-{user}", 64);

    public static OwnershipTable Move(int user, RegionId owner, long epoch) =>
        OwnershipTable.Empty with { Grains = ImmutableDictionary<string, GrainOwnership>.Empty.Add(GrainOf(user).ToString(), new GrainOwnership(owner, epoch)) };

    /// <summary>A new activation of the directory on the same storage, as after a silo restart: nothing in memory.</summary>
    public async Task<OwnershipDirectory> ReactivateAsync()
    {
        Directory = new OwnershipDirectory(Store, MaxCachedOverrides, NullLogger.Instance);
        await Directory.LoadAsync();
        return Directory;
    }

    public OwnershipCache NewCache(int? maxCachedOverrides = null) =>
        new(() => Grain, maxCachedOverrides ?? MaxCachedOverrides, NullLogger.Instance);

    /// <summary>Stores users <paramref name="from"/>..<paramref name="to"/> (exclusive) as moved, through the store, as many moves would have.</summary>
    public async Task SeedMovedGrainsAsync(int from, int to, RegionId owner, long epoch)
    {
        var meta = await Store.ReadMetaAsync();
        foreach (var chunk in Enumerable.Range(from, to - from).Chunk(DirectoryStore.MaxEntriesPerChange))
        {
            var grains = chunk.ToImmutableDictionary(u => GrainOf(u).ToString(), _ => new GrainOwnership(owner, epoch));
            meta = await Store.AppendAsync(meta, OwnershipTable.Empty with { Grains = grains });
        }
    }
}

/// <summary>The directory grain's interface over <see cref="DirectoryTestRegion.Directory"/>, counting the calls.</summary>
internal sealed class InProcessDirectoryGrain(DirectoryTestRegion region) : IOwnershipDirectoryGrain, IDirectoryPeer
{
    public int GetChangesCalls;
    public int LookupCalls;
    public int GetOverridesCalls;

    public Task<DirectoryChanges> GetChanges(DirectoryCursor since)
    {
        Interlocked.Increment(ref GetChangesCalls);
        return region.Directory.GetChangesAsync(since);
    }

    public Task<DirectoryLookup> Lookup(GrainId grain)
    {
        Interlocked.Increment(ref LookupCalls);
        return region.Directory.LookupAsync(grain);
    }

    public Task<DirectoryPage> GetOverrides(string? after, int max)
    {
        Interlocked.Increment(ref GetOverridesCalls);
        return region.Directory.GetOverridesAsync(after, max);
    }

    public Task<OwnershipTable> Merge(OwnershipTable changes) => region.Directory.MergeAsync(changes);

    public Task<GrainOwnership> Fence(GrainId grain, HomePartition partition, Runtime.Failover.RegionConfiguration configuration, GrainOwnership takeover, RegionId away) =>
        region.Directory.FenceAsync(grain, partition, configuration, takeover, away);
}

/// <summary>A table that counts the rows its reads and queries return, to show what a step reads, not only how often.</summary>
internal sealed class CountingTable(IRegionTable inner) : IRegionTable
{
    private long _rowsRead;

    public long RowsRead => Interlocked.Read(ref _rowsRead);

    public RegionId Region => inner.Region;

    public string Description => inner.Description;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public async Task<TableRow?> ReadAsync(string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        var row = await inner.ReadAsync(partitionKey, rowKey, cancellationToken);
        if (row is not null)
        {
            Interlocked.Increment(ref _rowsRead);
        }

        return row;
    }

    public async IAsyncEnumerable<TableRow> QueryAsync(
        string partitionKey, string fromRowKey, string toRowKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in inner.QueryAsync(partitionKey, fromRowKey, toRowKey, cancellationToken))
        {
            Interlocked.Increment(ref _rowsRead);
            yield return row;
        }
    }

    public Task<string?[]> WriteAsync(IReadOnlyList<TableWrite> writes, CancellationToken cancellationToken = default) => inner.WriteAsync(writes, cancellationToken);

    /// <summary>The directory's log rows now stored.</summary>
    public async Task<List<string>> LogRowsAsync() =>
        await inner.QueryAsync("d", "l|", TableKeys.PrefixEnd("l|")).Select(r => r.RowKey).ToListAsync();
}
