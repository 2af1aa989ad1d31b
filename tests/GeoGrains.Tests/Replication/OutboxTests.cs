using GeoGrains.Configuration;
using System.Text;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Serialization;

namespace GeoGrains.Tests.Replication;

/// <summary>The outbox markers one silo writes: when a commit needs one, when it may go, and what a commit in doubt leaves.</summary>
public sealed class OutboxTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
    private static readonly GrainId Grain = GrainId.Create("profile", "us-east/ada");

    private readonly RegionStorageAccount _account = new("us-east");
    private readonly GeoStore _store;
    private readonly List<(GrainId Grain, GeoRecord Record)> _resumed = [];
    private readonly Outbox _outbox;
    private readonly object _activation = new();

    public OutboxTests()
    {
        _store = new GeoStore(new MemoryRegionTable(_account, new RegionStorageMetrics()), Serializer, partitions: 2);
        _outbox = new Outbox(_store, ["eu-west", "apac-east"], new ReplicationOptions { MarkerLinger = TimeSpan.Zero }, TimeProvider.System,
            (grain, record, _, _) => _resumed.Add((grain, record)), NullLogger.Instance);
    }

    private static GeoRecord Version(long v) => new(v, 1, new HybridTimestamp(v, 0), "us-east", Encoding.UTF8.GetBytes($"{{\"v\":{v}}}"));

    private async Task<bool> CommitAsync(object activation, GeoRecord record)
    {
        var useMarker = _outbox.BeginCommit(Grain, activation);
        var marker = useMarker ? null : new OutboxMarker(record.Epoch, record.Version, record.CommittedAt, "silo-1", ["eu-west", "apac-east"]);
        var stored = await _store.ReadAsync(Grain);
        var written = await _store.TryCommitAsync(Grain, record, stored?.ETag, marker);
        _outbox.EndCommit(Grain, activation, useMarker, written is null ? null : record, written?.Marker);
        return useMarker;
    }

    private Task<int> MarkersAsync() => _store.PendingAsync().CountAsync().AsTask();

    [Fact]
    public async Task A_grain_written_again_while_its_marker_stands_commits_without_rewriting_it()
    {
        Assert.False(await CommitAsync(_activation, Version(1)));
        Assert.True(await CommitAsync(_activation, Version(2)));
        Assert.Equal(1, await MarkersAsync());
    }

    [Fact]
    public async Task A_marker_goes_only_once_every_target_acknowledged_the_latest_version()
    {
        await CommitAsync(_activation, Version(1));
        await CommitAsync(_activation, Version(2));

        _outbox.Acknowledged("eu-west", [new ReplicatedChange(Grain, Version(2))]);
        _outbox.Acknowledged("apac-east", [new ReplicatedChange(Grain, Version(1))]);
        Assert.Equal(0, await _outbox.SettleAsync());
        Assert.Equal(1, await MarkersAsync());

        _outbox.Acknowledged("apac-east", [new ReplicatedChange(Grain, Version(2))]);
        Assert.Equal(1, await _outbox.SettleAsync());
        Assert.Equal(0, await MarkersAsync());

        // The marker is gone, so the next commit writes one again.
        Assert.False(await CommitAsync(_activation, Version(3)));
        Assert.Equal(1, await MarkersAsync());
    }

    [Fact]
    public async Task A_new_activation_writes_the_marker_again_and_the_old_ones_deletion_leaves_it()
    {
        await CommitAsync(_activation, Version(1));
        _outbox.Acknowledged("eu-west", [new ReplicatedChange(Grain, Version(1))]);
        _outbox.Acknowledged("apac-east", [new ReplicatedChange(Grain, Version(1))]);

        // Another activation of the grain (moved silos, reactivated) knows nothing of the first one's marker.
        var next = new object();
        Assert.False(await CommitAsync(next, Version(2)));
        await _outbox.SettleAsync();

        Assert.Equal(1, await MarkersAsync());
    }

    [Fact]
    public async Task A_commit_that_got_no_answer_but_was_stored_is_found_and_shipped()
    {
        // The storage applied the commit but the answer was lost: the write path reports the commit in doubt.
        var record = Version(1);
        await _store.TryCommitAsync(Grain, record, null, new OutboxMarker(1, 1, record.CommittedAt, "silo-1", ["eu-west", "apac-east"]));
        var resumedWhenSettled = -1;
        _outbox.Doubt(Grain, () => resumedWhenSettled = _resumed.Count);

        _account.IsAvailable = false;
        await _outbox.SettleAsync();
        Assert.Empty(_resumed);
        Assert.Equal(-1, resumedWhenSettled); // still in doubt: the commit still holds safe times back

        _account.IsAvailable = true;
        await _outbox.SettleAsync();
        var resumed = Assert.Single(_resumed);
        Assert.Equal(1, resumed.Record.Version);
        Assert.Equal(1, resumedWhenSettled); // settled only after it was queued to ship
    }

    [Fact]
    public async Task Of_two_silos_adopting_from_the_same_record_one_does()
    {
        var (none, noETag) = await _store.ReadAdoptionsAsync();
        Assert.Empty(none.Adopters);
        Assert.Null(noETag);

        var gone = new HashSet<string>(["silo-1"]);
        var (_, bySilo2) = none.Plan(gone, new HashSet<string>(["silo-2", "silo-3"]), "silo-2");
        var (_, bySilo3) = none.Plan(gone, new HashSet<string>(["silo-2", "silo-3"]), "silo-3");
        Assert.True(await _store.TryWriteAdoptionsAsync(bySilo2, noETag));
        Assert.False(await _store.TryWriteAdoptionsAsync(bySilo3, noETag));

        var (stored, etag) = await _store.ReadAdoptionsAsync();
        Assert.Equal("silo-2", stored.Adopters["silo-1"]);
        Assert.NotNull(etag);
        Assert.True(await _store.TryWriteAdoptionsAsync(OutboxAdoptions.None, etag));
        Assert.Empty((await _store.ReadAdoptionsAsync()).Adoptions.Adopters);
        Assert.Equal(0, await MarkersAsync()); // the record is not an outbox marker
    }
}
