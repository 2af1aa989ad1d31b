using GeoGrains.Configuration;
using GeoGrains.Runtime.ActiveActive;
using GeoGrains.Runtime.Topology;
using System.Collections.Concurrent;
using System.Text;
using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Serialization;

namespace GeoGrains.Tests.Replication;

/// <summary>The shipper against a fake link to the target region (the receiver side is tested on real clusters).</summary>
public sealed class ChangeShipperTests : IAsyncDisposable
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly RegionStorageAccount _account = new("us-east");
    private readonly GeoStore _store;
    private readonly Outbox _outbox;
    private readonly FakeLink _link = new();
    private readonly ReplicationMetrics _metrics = new();
    private readonly ChangeShipper _shipper;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    public ChangeShipperTests()
    {
        _store = new GeoStore(new MemoryRegionTable(_account, new RegionStorageMetrics()), Serializer, partitions: 4);
        var options = new ReplicationOptions { MaxBatchSize = 3, RetryBackoff = TimeSpan.FromMilliseconds(10), BatchInterval = TimeSpan.Zero, MarkerLinger = TimeSpan.Zero };
        _outbox = new Outbox(_store, ["eu-west"], options, TimeProvider.System, (_, _, _, _) => { }, NullLogger.Instance);
        _shipper = new ChangeShipper("us-east", "eu-west", _link, _outbox.Acknowledged, new ReplicationBatchCodec(Serializer), _metrics, options, NullLogger.Instance);
    }

    private static GrainId Grain(int i) => GrainId.Create("profile", $"us-east/user-{i}");

    private static GeoRecord Version(long v) => new(v, 1, new HybridTimestamp(v, 0), "us-east", Encoding.UTF8.GetBytes($"{{\"v\":{v}}}"));

    // Commits as the write path does: record and marker in one write, then queued to ship.
    private void Commit(GrainId grain, GeoRecord record)
    {
        WriteToStore(grain, record);
        _shipper.Enqueue(grain, record);
    }

    private void WriteToStore(GrainId grain, GeoRecord record)
    {
        var token = this;
        var useMarker = _outbox.BeginCommit(grain, token);
        var marker = useMarker ? null : new OutboxMarker(record.Epoch, record.Version, record.CommittedAt, "silo", ["eu-west"]);
        var stored = _store.ReadAsync(grain).GetAwaiter().GetResult();
        var written = _store.TryCommitAsync(grain, record, stored?.ETag, marker).GetAwaiter().GetResult();
        _outbox.EndCommit(grain, token, useMarker, written is null ? null : record, written?.Marker);
    }

    private async Task<List<(GrainId Grain, OutboxMarker Marker)>> PendingAsync()
    {
        await _outbox.SettleAsync();
        return await _store.PendingAsync().Select(p => (p.Grain, p.Marker)).ToListAsync();
    }

    [Fact]
    public async Task Versions_of_one_grain_waiting_together_ship_as_the_latest()
    {
        Commit(Grain(1), Version(1));
        Commit(Grain(1), Version(2));
        Commit(Grain(1), Version(3));
        Assert.Equal(1, _shipper.PendingCount);

        Start();
        var shipped = await _link.Delivered.Reader.ReadAsync(new CancellationTokenSource(Timeout).Token);

        var change = Assert.Single(shipped);
        Assert.Equal(Grain(1), change.Grain);
        Assert.Equal(3, change.Record.Version);
    }

    [Fact]
    public void An_older_version_never_replaces_a_newer_one_waiting()
    {
        _shipper.Enqueue(Grain(1), Version(5));
        _shipper.Enqueue(Grain(1), Version(4));

        Assert.Equal(1, _shipper.PendingCount);
    }

    [Fact]
    public async Task Batches_hold_at_most_the_configured_number_of_changes_and_acknowledged_changes_leave_the_outbox()
    {
        for (var i = 0; i < 7; i++)
        {
            Commit(Grain(i), Version(1));
        }

        Start();
        var batches = new List<ReplicatedChange[]>();
        using var deadline = new CancellationTokenSource(Timeout);
        while (batches.Sum(b => b.Length) < 7)
        {
            batches.Add(await _link.Delivered.Reader.ReadAsync(deadline.Token));
        }

        Assert.All(batches, b => Assert.InRange(b.Length, 1, 3));
        Assert.Equal(Enumerable.Range(0, 7).Select(Grain).Order(), batches.SelectMany(b => b).Select(c => c.Grain).Order());
        await WaitFor(async () => (await PendingAsync()).Count == 0, "the outbox empties");
        Assert.Equal(7, _metrics.Get("us-east", "eu-west").ChangesAcknowledged);
    }

    [Fact]
    public async Task A_batch_that_is_not_acknowledged_is_retried_and_stays_in_the_outbox_until_it_is()
    {
        _link.FailNext = 2;
        Commit(Grain(1), Version(1));
        Assert.Single(await PendingAsync());

        Start();
        var shipped = await _link.Delivered.Reader.ReadAsync(new CancellationTokenSource(Timeout).Token);

        Assert.Equal(1, Assert.Single(shipped).Record.Version);
        Assert.Equal(3, _link.Attempts);
        await WaitFor(async () => (await PendingAsync()).Count == 0, "the outbox empties after the acknowledgement");
    }

    [Fact]
    public async Task An_acknowledgement_of_an_older_version_keeps_the_outbox_marker_of_the_newer_one()
    {
        Commit(Grain(1), Version(1));

        Start();
        await _link.Delivered.Reader.ReadAsync(new CancellationTokenSource(Timeout).Token);
        WriteToStore(Grain(1), Version(2)); // committed after version 1 left, not yet queued
        await WaitFor(() => Task.FromResult(_metrics.Get("us-east", "eu-west").ChangesAcknowledged == 1), "the acknowledgement");

        Assert.Equal(Grain(1), Assert.Single(await PendingAsync()).Grain);
    }

    [Fact]
    public async Task A_change_the_target_refuses_is_delivered_but_acknowledges_no_write()
    {
        var options = new ReplicationOptions { BatchInterval = TimeSpan.Zero, RetryBackoff = TimeSpan.FromMilliseconds(10) };
        var acknowledgements = new ReplicationAcknowledgements(["eu-west"], TimeProvider.System, "us-east");
        var delivered = new ConcurrentQueue<ReplicatedChange>();
        var shipper = new ChangeShipper("us-east", "eu-west", _link, acknowledgements.Acknowledged, new ReplicationBatchCodec(Serializer), _metrics, options,
            NullLogger.Instance, refused: (target, changes) =>
            {
                foreach (var change in changes)
                {
                    delivered.Enqueue(change);
                }

                acknowledgements.Refused(target, changes);
            });
        _running = Task.Run(() => shipper.RunAsync(_stop.Token));
        _link.RefuseLineage = true;

        using var waiter = acknowledgements.Expect(Grain(1), Version(2), required: 1);
        shipper.Enqueue(Grain(1), Version(2), urgent: true);

        await Assert.ThrowsAsync<OwnershipLostException>(() => waiter.WaitAsync(Timeout));
        Assert.Equal(Grain(1), Assert.Single(delivered).Grain);
        Assert.Equal(1, _link.Attempts); // delivered once: a refusal is an answer, not a failure to retry
    }

    [Fact]
    public async Task A_version_a_writer_waits_for_leaves_at_once_and_takes_what_waits_for_the_batch_interval_along()
    {
        // An interval no test outlasts: only urgency can make the second batch leave.
        var options = new ReplicationOptions { BatchInterval = TimeSpan.FromHours(1), RetryBackoff = TimeSpan.FromMilliseconds(10) };
        var acknowledgements = new ReplicationAcknowledgements(["eu-west"], TimeProvider.System);
        var shipper = new ChangeShipper("us-east", "eu-west", _link, acknowledgements.Acknowledged, new ReplicationBatchCodec(Serializer), _metrics, options, NullLogger.Instance);
        _running = Task.Run(() => shipper.RunAsync(_stop.Token));
        using var deadline = new CancellationTokenSource(Timeout);
        shipper.Enqueue(Grain(1), Version(1));
        await _link.Delivered.Reader.ReadAsync(deadline.Token); // the link was idle: the first batch leaves at once

        shipper.Enqueue(Grain(2), Version(1));
        using var waiter = acknowledgements.Expect(Grain(3), Version(1), required: 1);
        shipper.Enqueue(Grain(3), Version(1), urgent: true);

        var shipped = await _link.Delivered.Reader.ReadAsync(deadline.Token);
        Assert.Equal([Grain(2), Grain(3)], shipped.Select(c => c.Grain).Order());
        await waiter.WaitAsync(Timeout);
    }

    [Fact]
    public async Task On_a_clock_that_has_just_started_the_first_batch_leaves_without_waiting_out_the_batch_interval()
    {
        // An interval no test outlasts: the first batch has nothing to wait for, however young the clock is.
        var options = new ReplicationOptions { BatchInterval = TimeSpan.FromHours(1), RetryBackoff = TimeSpan.FromMilliseconds(10) };
        var shipper = new ChangeShipper("us-east", "eu-west", _link, _outbox.Acknowledged, new ReplicationBatchCodec(Serializer), _metrics, options,
            NullLogger.Instance, time: new JustStartedClock());
        Start(shipper);

        shipper.Enqueue(Grain(1), Version(1));

        Assert.Equal(Grain(1), Assert.Single(await _link.Delivered.Reader.ReadAsync(new CancellationTokenSource(Timeout).Token)).Grain);
    }

    [Fact]
    public async Task On_a_clock_that_has_just_started_heartbeats_go_before_any_batch_has()
    {
        var (shipper, _) = ShipperWithSafeTimes(time: new JustStartedClock());

        Start(shipper);

        await _link.Heartbeats.Reader.ReadAsync(new CancellationTokenSource(Timeout).Token);
    }

    [Fact]
    public async Task On_a_clock_that_has_just_started_a_batch_unanswered_before_the_target_ever_answered_finds_the_link_down()
    {
        var (shipper, commits) = ShipperWithSafeTimes(time: new JustStartedClock());
        _link.Down = true;
        CommitNow(shipper, commits, Grain(1), 1);

        Start(shipper);
        await WaitFor(() => Task.FromResult(_link.Attempts == 1), "the first batch into the cut link");
        var probed = _link.HeartbeatAttempts;
        await WaitFor(() => Task.FromResult(_link.HeartbeatAttempts >= probed + 3), "heartbeats probing the cut link");
        Assert.Equal(1, _link.Attempts); // not retried at once as if the target were only behind

        _link.Down = false;
        Assert.Equal(Grain(1), Assert.Single(await _link.Delivered.Reader.ReadAsync(new CancellationTokenSource(Timeout).Token)).Grain);
    }

    [Fact]
    public async Task A_delta_the_target_cannot_join_goes_again_as_the_whole_state()
    {
        var tags = GrainId.Create("tags", "post-1");
        var options = new ReplicationOptions { RetryBackoff = TimeSpan.FromMilliseconds(10), BatchInterval = TimeSpan.Zero, MarkerLinger = TimeSpan.Zero };
        var shipper = new ChangeShipper("us-east", "eu-west", _link, _outbox.Acknowledged, new ReplicationBatchCodec(Serializer), _metrics, options,
            NullLogger.Instance, deltas: (change, target) => new GeoGrains.Runtime.ActiveActive.DeltaShipping(ActiveActive.DeltaShippingTests.Deltas()).ForTarget(change, target, _outbox.AcknowledgedVersion));
        var set = new GeoGrains.Crdts.GSet<string>([.. Enumerable.Range(0, 100).Select(i => $"tag-{i:D3}")]);
        GeoRecord Tagged(long v, GeoGrains.Crdts.GSet<string> state) => new(v, 0, new HybridTimestamp(v, 0), "us-east",
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(state), Vector: new GeoGrains.Crdts.VersionVector([new GeoGrains.Crdts.Dot("us-east", v)]));
        Start(shipper);
        using var deadline = new CancellationTokenSource(Timeout);

        WriteToStore(tags, Tagged(1, set));
        shipper.Enqueue(tags, Tagged(1, set));
        Assert.Null(Assert.Single(await _link.Delivered.Reader.ReadAsync(deadline.Token)).DeltaBase);
        await WaitFor(() => Task.FromResult(_outbox.AcknowledgedVersion(tags, "eu-west") is not null), "the first version's acknowledgement");

        _link.RefuseDeltas = true;
        var second = Tagged(2, set.Add("fresh"));
        WriteToStore(tags, second);
        shipper.Enqueue(tags, second);

        var resent = Assert.Single(await _link.Delivered.Reader.ReadAsync(deadline.Token));
        Assert.Null(resent.DeltaBase);
        Assert.Equal(second.State, resent.Record.State);
        var traffic = _metrics.Get("us-east", "eu-west");
        Assert.Equal((1, 1, 2), (traffic.DeltasSent, traffic.DeltasRefused, traffic.ChangesAcknowledged));
        Assert.Equal(2, _outbox.AcknowledgedVersion(tags, "eu-west")!.Version);
    }

    [Fact]
    public async Task A_batch_tells_a_safe_time_below_its_own_changes_and_heartbeats_pass_them_once_acknowledged()
    {
        var (shipper, commits) = ShipperWithSafeTimes();
        var record = CommitNow(shipper, commits, Grain(1), 1);

        Start(shipper);
        var batch = await _link.Batches.Reader.ReadAsync(new CancellationTokenSource(Timeout).Token);

        Assert.NotNull(batch.Freshness);
        Assert.Equal(("us-east", "silo-1"), (batch.Freshness.Source.Value, batch.Freshness.Silo));
        Assert.True(batch.Freshness.SafeTime < record.CommittedAt, $"batch safe time {batch.Freshness.SafeTime} is not before its change at {record.CommittedAt}");
        await HeartbeatReaching(record.CommittedAt);
    }

    [Fact]
    public async Task While_the_target_does_not_acknowledge_heartbeats_stay_below_the_change_it_lacks()
    {
        var (shipper, commits) = ShipperWithSafeTimes();
        _link.FailApplies = true;
        var record = CommitNow(shipper, commits, Grain(1), 1);

        Start(shipper);
        using var deadline = new CancellationTokenSource(Timeout);
        for (var heard = 0; heard < 3;)
        {
            var report = await _link.Heartbeats.Reader.ReadAsync(deadline.Token);
            Assert.True(report.SafeTime < record.CommittedAt, $"heartbeat {report.SafeTime} passed the unacknowledged change at {record.CommittedAt}");
            heard++;
        }

        _link.FailApplies = false;
        await HeartbeatReaching(record.CommittedAt);
    }

    [Fact]
    public async Task A_commit_in_progress_holds_heartbeats_back_until_it_ends()
    {
        var (shipper, commits) = ShipperWithSafeTimes();
        var inProgress = commits.Begin();

        Start(shipper);
        using var deadline = new CancellationTokenSource(Timeout);
        for (var heard = 0; heard < 3; heard++)
        {
            var report = await _link.Heartbeats.Reader.ReadAsync(deadline.Token);
            Assert.True(report.SafeTime < inProgress.At, $"heartbeat {report.SafeTime} passed the commit in progress at {inProgress.At}");
        }

        inProgress.Dispose();
        await HeartbeatReaching(inProgress.At);
    }

    [Fact]
    public async Task While_the_link_is_down_no_batch_leaves_heartbeats_probe_it_and_once_it_is_back_the_changes_queued_meanwhile_ship_as_their_latest_versions()
    {
        var (shipper, commits) = ShipperWithSafeTimes();
        _link.Down = true;
        CommitNow(shipper, commits, Grain(1), 1);

        Start(shipper);
        await WaitFor(() => Task.FromResult(_link.Attempts == 1), "the first batch into the cut link");
        CommitNow(shipper, commits, Grain(1), 2);
        CommitNow(shipper, commits, Grain(2), 1);
        var probed = _link.HeartbeatAttempts;
        await WaitFor(() => Task.FromResult(_link.HeartbeatAttempts >= probed + 3), "heartbeats probing the cut link");
        Assert.Equal(1, _link.Attempts);

        _link.Down = false;
        using var deadline = new CancellationTokenSource(Timeout);
        var shipped = new List<ReplicatedChange>();
        while (shipped.Count < 2)
        {
            shipped.AddRange(await _link.Delivered.Reader.ReadAsync(deadline.Token));
        }

        Assert.Equal([(Grain(1), 2L), (Grain(2), 1L)], shipped.Select(c => (c.Grain, c.Record.Version)).OrderBy(c => c.Item1.ToString()));
    }

    [Fact]
    public async Task After_the_link_was_down_a_few_batches_go_first_and_the_rest_follow_as_they_are_answered()
    {
        var (shipper, commits) = ShipperWithSafeTimes(new ReplicationOptions
        {
            MaxBatchSize = 1,
            MaxBatchesInFlight = 64,
            BatchInterval = TimeSpan.Zero,
            MarkerLinger = TimeSpan.Zero,
            HeartbeatInterval = TimeSpan.FromMilliseconds(20),
        }, callTimeout: TimeSpan.FromMinutes(10));
        _link.Down = true;
        for (var i = 0; i < 20; i++)
        {
            CommitNow(shipper, commits, Grain(i), 1);
        }

        Start(shipper);
        await WaitFor(() => Task.FromResult(_link.Attempts >= 1), "a batch into the cut link");
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _link.Hold = held.Task;
        _link.Down = false;

        // The link is back: a few batches leave, and while none is answered, heartbeats go and no more batches.
        await WaitFor(() => Task.FromResult(_link.Held == 4), "the first batches after the link came back");
        var heard = _link.HeartbeatAttempts;
        await WaitFor(() => Task.FromResult(_link.HeartbeatAttempts >= heard + 3), "heartbeats while the batches are held");
        Assert.Equal(4, _link.Held);

        held.SetResult();
        using var deadline = new CancellationTokenSource(Timeout);
        var shipped = new HashSet<GrainId>();
        while (shipped.Count < 20)
        {
            shipped.UnionWith((await _link.Delivered.Reader.ReadAsync(deadline.Token)).Select(c => c.Grain));
        }
    }

    [Fact]
    public async Task A_batch_lost_in_a_partition_that_healed_before_its_call_timed_out_goes_again_once_a_heartbeat_is_answered()
    {
        // A call times out after 400 ms here, but the lost one never ends: only a resend delivers its change.
        var (shipper, commits) = ShipperWithSafeTimes(callTimeout: TimeSpan.FromMilliseconds(400));
        CommitNow(shipper, commits, Grain(1), 1);
        Start(shipper);
        using var deadline = new CancellationTokenSource(Timeout);
        await _link.Delivered.Reader.ReadAsync(deadline.Token);

        _link.Lose = true;
        CommitNow(shipper, commits, Grain(2), 1);
        await WaitFor(() => Task.FromResult(_link.Lost == 1), "the batch lost on the way");
        _link.Lose = false;

        var shipped = await _link.Delivered.Reader.ReadAsync(deadline.Token);
        Assert.Equal(Grain(2), Assert.Single(shipped).Grain);
        Assert.Equal(1, _link.Lost);
    }

    private (ChangeShipper Shipper, CommitsInProgress Commits) ShipperWithSafeTimes(ReplicationOptions? custom = null, TimeSpan? callTimeout = null, TimeProvider? time = null)
    {
        var commits = new CommitsInProgress(new HybridLogicalClock());
        var options = custom ?? new ReplicationOptions
        {
            RetryBackoff = TimeSpan.FromMilliseconds(10),
            BatchInterval = TimeSpan.Zero,
            MarkerLinger = TimeSpan.Zero,
            HeartbeatInterval = TimeSpan.FromMilliseconds(20),
        };
        var shipper = new ChangeShipper("us-east", "eu-west", _link, _outbox.Acknowledged, new ReplicationBatchCodec(Serializer), _metrics, options,
            NullLogger.Instance, new SafeTimeSource("silo-1", commits.Floor, () => ["silo-1"]), callTimeout, time: time);
        return (shipper, commits);
    }

    // As the write path does: the commit time from the commits in progress, ended once queued.
    private static GeoRecord CommitNow(ChangeShipper shipper, CommitsInProgress commits, GrainId grain, long version)
    {
        using var commit = commits.Begin();
        var record = new GeoRecord(version, 1, commit.At, "us-east", Encoding.UTF8.GetBytes("{}"));
        shipper.Enqueue(grain, record);
        return record;
    }

    private async Task HeartbeatReaching(HybridTimestamp time)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while ((await _link.Heartbeats.Reader.ReadAsync(deadline.Token)).SafeTime < time)
        {
        }
    }

    private void Start() => Start(_shipper);

    private void Start(ChangeShipper shipper) => _running = Task.Run(() => shipper.RunAsync(_stop.Token));

    private static async Task WaitFor(Func<Task<bool>> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (!await condition())
        {
            await Task.Delay(10, deadline.Token).ContinueWith(t => t.IsCanceled ? throw new TimeoutException(what) : t, TaskScheduler.Default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _metrics.Dispose();
    }

    /// <summary>
    /// A clock whose timestamps stand at 0, its origin: the system clock's origin is the machine's boot, so this is a
    /// machine that has just booted, with no time passing. A shipper that reads a 0 it never took as a time sees it as now.
    /// </summary>
    private sealed class JustStartedClock : TimeProvider
    {
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => 0;
    }

    /// <summary>Stands in for the link to eu-west: decodes what would be sent and acknowledges it, or fails on request.</summary>
    private sealed class FakeLink : IRegionLinks
    {
        private readonly ReplicationBatchCodec _codec = new(Serializer);
        private int _attempts;
        private int _heartbeatAttempts;
        private int _held;
        private int _lost;

        public System.Threading.Channels.Channel<ReplicatedChange[]> Delivered { get; } = System.Threading.Channels.Channel.CreateUnbounded<ReplicatedChange[]>();

        public System.Threading.Channels.Channel<ReplicationBatch> Batches { get; } = System.Threading.Channels.Channel.CreateUnbounded<ReplicationBatch>();

        public System.Threading.Channels.Channel<SafeTimeReport> Heartbeats { get; } = System.Threading.Channels.Channel.CreateUnbounded<SafeTimeReport>();

        /// <summary>Batches fail (as a receiver whose storage is down would) while heartbeats still arrive.</summary>
        public bool FailApplies { get; set; }

        /// <summary>The link is cut: batches and heartbeats are lost.</summary>
        public bool Down { get; set; }

        /// <summary>Batches are lost on the way, and their calls never end (until the test stops).</summary>
        public bool Lose { get; set; }

        /// <summary>Batches lost while <see cref="Lose"/> was set.</summary>
        public int Lost => Volatile.Read(ref _lost);

        /// <summary>While set, batches wait for it before they are applied and answered.</summary>
        public Task? Hold { get; set; }

        /// <summary>Batches waiting for <see cref="Hold"/>.</summary>
        public int Held => Volatile.Read(ref _held);

        public int HeartbeatAttempts => Volatile.Read(ref _heartbeatAttempts);

        public int FailNext { get; set; }

        /// <summary>Deltas are answered as a receiver whose copy lacks their base answers: not applied, the whole state asked for.</summary>
        public bool RefuseDeltas { get; set; }

        /// <summary>Every change is answered as a receiver that holds a newer owner's lineage answers: delivered, not held.</summary>
        public bool RefuseLineage { get; set; }

        public int Attempts => Volatile.Read(ref _attempts);

        public RegionId LocalRegion => "us-east";

        public Task<TResult> InvokeAsync<TResult>(RegionId target, Func<IGrainFactory, Task<TResult>> call, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _attempts);
            if (FailNext > 0 || Down)
            {
                FailNext = Math.Max(0, FailNext - 1);
                throw new RegionUnreachableException("us-east", target, "fake partition");
            }

            if (Lose)
            {
                Interlocked.Increment(ref _lost);
                return Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, cancellationToken).ContinueWith<TResult>(_ => throw new OperationCanceledException(), TaskScheduler.Default);
            }

            return call(new ReceiverFactory(this));
        }

        public Task InvokeAsync(RegionId target, Func<IGrainFactory, Task> call, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _heartbeatAttempts);
            return Down ? throw new RegionUnreachableException("us-east", target, "fake partition") : call(new ReceiverFactory(this));
        }

        private sealed class ReceiverFactory(FakeLink link) : IGrainFactory, IReplicationReceiverGrain
        {
            public async Task<ReplicationAck> Apply(ReplicationBatch batch)
            {
                if (link.FailApplies)
                {
                    throw new InvalidOperationException("fake storage outage");
                }

                if (link.Hold is { } hold)
                {
                    Interlocked.Increment(ref link._held);
                    await hold;
                    Interlocked.Decrement(ref link._held);
                }

                var changes = link._codec.Decode(batch);
                link.Batches.Writer.TryWrite(batch);
                GrainId[] refused = link.RefuseDeltas ? [.. changes.Where(c => c.DeltaBase is not null).Select(c => c.Grain)] : [];
                if (refused.Length == 0)
                {
                    link.Delivered.Writer.TryWrite(changes);
                }

                GrainId[]? lineage = link.RefuseLineage ? [.. changes.Select(c => c.Grain)] : null;
                return new ReplicationAck(changes.Length - refused.Length, 0, refused.Length > 0 ? refused : null, lineage);
            }

            public Task Heartbeat(SafeTimeReport report)
            {
                link.Heartbeats.Writer.TryWrite(report);
                return Task.CompletedTask;
            }

            public Task<GeoRecord?> Read(GrainId grain) => throw new NotSupportedException("The shipper never reads.");

            public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerKey =>
                (TGrainInterface)(object)this;

            public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidKey => throw new NotSupportedException();
            public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithStringKey => throw new NotSupportedException();
            public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidCompoundKey => throw new NotSupportedException();
            public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerCompoundKey => throw new NotSupportedException();
            public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver => throw new NotSupportedException();
            public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver => throw new NotSupportedException();
            public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => throw new NotSupportedException();
            public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => throw new NotSupportedException();
            public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => throw new NotSupportedException();
            public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => throw new NotSupportedException();
            public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => throw new NotSupportedException();
            public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IAddressable => throw new NotSupportedException();
            public IAddressable GetGrain(GrainId grainId) => throw new NotSupportedException();
            public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => throw new NotSupportedException();
            public IAddressable GetGrain(Type interfaceType, IdSpan grainKey, string grainClassNamePrefix) => throw new NotSupportedException();
            public IAddressable GetGrain(Type interfaceType, IdSpan grainKey) => throw new NotSupportedException();
        }
    }
}
