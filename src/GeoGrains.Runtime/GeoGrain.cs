using GeoGrains.Runtime.ActiveActive;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;
using GeoGrains.Runtime.Writes;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;

namespace GeoGrains;

/// <summary>
/// Base class of a geo-distributed grain with state <typeparamref name="TState"/>. Every region may activate it: in the
/// region that owns it the activation takes writes; elsewhere it is a replica that serves <c>[ReadOnly]</c> methods from
/// the local copy, and every other method is forwarded to the owner region and its result returned.
/// </summary>
/// <remarks>
/// Register the class with <see cref="GeoGrainAttribute"/>. Keys are strings; with the default home policy they start
/// with the home region: <c>"eu-west/alice"</c>. State is serialized with System.Text.Json; keep it an immutable record
/// and change it only through <see cref="Update"/>. An activation reads its state from the region's storage once, when
/// it activates; after that it is kept current by its own writes and, as a replica, by the replication receiver, so a
/// <c>[ReadOnly]</c> call costs no storage read.
/// </remarks>
/// <typeparam name="TState">The grain's state.</typeparam>
[Reentrant]
public abstract class GeoGrain<TState> : Grain, IGeoGrainControl, IGeoGrainActivation<TState>, IActiveActiveGrain
    where TState : class
{
    private readonly GrainWriteLock _writeLock = new();
    private GeoWritePath _writes = null!;
    private GeoStore _store = null!;
    private ReplicaActivations _replicas = null!;
    private OwnershipCache _ownership = null!;
    private RegionId _region;
    private GeoGrainRegistration _registration = null!;
    private Snapshot _current = null!;

    // Completed (and replaced) whenever the activation takes a newer version: what a read waiting for catch-up waits on.
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The state as of <see cref="Version"/>.</summary>
    protected TState State => _current.State;

    /// <summary>The version of <see cref="State"/> (0 before the first write).</summary>
    protected long Version => _current.Stored?.Record.Version ?? 0;

    /// <summary>The region this activation runs in.</summary>
    protected RegionId Region => _region;

    /// <summary>The grain's home region, from its key.</summary>
    protected RegionId Home => _registration.Home;

    /// <summary>The state of a grain that was never written. Default: <typeparamref name="TState"/>'s parameterless constructor.</summary>
    protected virtual TState CreateInitialState() =>
        typeof(TState).GetConstructor(Type.EmptyTypes) is not null
            ? Activator.CreateInstance<TState>()
            : throw new InvalidOperationException(
                $"{GetType().Name}: {typeof(TState).Name} has no parameterless constructor; override CreateInitialState to give the state of a new grain.");

    /// <summary>
    /// Decides what becomes of an orphaned version: a state this grain's region acknowledged (an <c>Async</c> write)
    /// while it owned the grain, but could not ship before it failed and the other regions took the grain over. The new
    /// owner continued from an earlier version, so <paramref name="orphaned"/> is not part of <paramref name="current"/>'s
    /// history. Called at the grain's owner, once per orphaned version, under the grain's write lock, when the version
    /// reaches it (the failed region ships it when it returns).
    /// </summary>
    /// <remarks>
    /// Return <see langword="null"/> to keep <paramref name="current"/> (the default), or a state (e.g. a merge of both)
    /// to commit it as a new version, replicated like any write. Either way, the orphaned version is recorded with both
    /// states and the outcome (<see cref="ReconciliationRecord"/>). Do not call <see cref="Update"/> here; if the hook
    /// throws, the current state is kept and the record says the hook failed, with the exception's message.
    /// </remarks>
    /// <param name="current">The owner's state now.</param>
    /// <param name="orphaned">The state of the orphaned version.</param>
    /// <returns>The state to write, or <see langword="null"/> to keep <paramref name="current"/>.</returns>
    protected virtual TState? OnReconcile(TState current, TState orphaned) => null;

    /// <summary>
    /// Merges two concurrent versions of an active-active grain with <see cref="ConflictPolicy.Custom"/>: states written
    /// in different regions, neither having seen the other. Called only for truly concurrent versions, in every region
    /// that receives both, outside any call of the grain's methods.
    /// </summary>
    /// <remarks>
    /// Every region must compute the same result, so GeoGrains passes the pair in the same order everywhere:
    /// <paramref name="later"/> is the version committed later on the hybrid clock (region id breaking a tie), whichever
    /// region holds which. Make it deterministic (no clocks, no randomness, no I/O), and commutative and associative
    /// across three or more concurrent versions (e.g. a union), so that regions that see them in different orders
    /// agree. No common ancestor is given: GeoGrains keeps only the latest version. If it throws, the later version
    /// wins, the failure is recorded in the conflict feed (<see cref="ConflictOutcome.MergeFailed"/>), and the grain
    /// keeps working.
    /// </remarks>
    /// <param name="later">The version committed later.</param>
    /// <param name="earlier">The version committed earlier.</param>
    /// <returns>The merged state.</returns>
    protected virtual TState MergeConcurrent(TState later, TState earlier) => throw new NotSupportedException(
        $"{GetType().Name} has conflict policy Custom but does not override MergeConcurrent.");

    /// <summary>
    /// Commits a new version of the state: when the returned task completes, the version is durable in the owner
    /// region's storage; it is then replicated to the others and published on the change feed (<see cref="GeoChangeFeed"/>).
    /// Only methods that are not <c>[ReadOnly]</c> may call it; they run in the owner region.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called outside a write (e.g. from a <c>[ReadOnly]</c> method or a timer).</exception>
    /// <exception cref="RegionStorageException">The region's storage failed; the version was not acknowledged.</exception>
    protected Task Update(Func<TState, TState> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return _writes.CommitAsync(this, change);
    }

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _writes = ServiceProvider.GetRequiredService<GeoWritePath>();
        _store = ServiceProvider.GetRequiredService<GeoStore>();
        _replicas = ServiceProvider.GetRequiredService<ReplicaActivations>();
        _ownership = ServiceProvider.GetRequiredService<OwnershipCache>();
        _region = ServiceProvider.GetRequiredService<LocalRegion>().Id;
        _registration = ServiceProvider.GetRequiredService<GeoGrainTypes>().Register(GetType(), this.GetGrainId());
        _current = new Snapshot(null, CreateInitialState());

        // Listed before the read: a version the receiver applies between the read and the listing would otherwise reach
        // no activation, and a replica not written again would serve the version it read for as long as it lives.
        // Accept keeps the later of the two, whichever order they come in.
        _replicas.Add(this);
        try
        {
            await ((IGeoGrainActivation)this).ReloadAsync(cancellationToken);
        }
        catch
        {
            _replicas.Remove(this);
            throw;
        }

        await base.OnActivateAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _replicas.Remove(this);
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    async Task<GeoGrainStatus> IGeoGrainControl.GetGeoStatus()
    {
        var ownership = await _ownership.ResolveAsync(this.GetGrainId(), _registration.Partition);
        var record = _current.Stored?.Record;
        return new GeoGrainStatus(_region, _registration.Home, ownership, Version, record?.Epoch ?? 0, record?.CommittedAt ?? default, record?.CommittedIn);
    }

    Task<GrainOwnership> IGeoGrainControl.HandOff(RegionId newOwner) => _writes.HandOffAsync(this, newOwner);

    Task<ReconciliationRecord?> IGeoGrainControl.Reconcile(GeoGrainVersion orphaned)
    {
        ArgumentNullException.ThrowIfNull(orphaned);
        return _writes.ReconcileAsync(this, orphaned, OnReconcile);
    }

    Task<bool> IActiveActiveGrain.Resolve(GeoRecord incoming, GeoGrains.Crdts.VersionVector? deltaBase)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        return _writes.ResolveAsync(this, incoming, deltaBase, Merge);
    }

    private TState Merge(TState later, TState earlier) => _registration.Attribute.Conflicts switch
    {
        ConflictPolicy.Crdt => GeoGrains.Runtime.ActiveActive.CrdtMerge<TState>.Merge(later, earlier),
        _ => MergeConcurrent(later, earlier),
    };

    GrainId IReplicaActivation.GrainId => this.GetGrainId();

    GeoGrainRegistration IGeoGrainActivation.Registration => _registration;

    GrainWriteLock IGeoGrainActivation.WriteLock => _writeLock;

    StoredGeoRecord? IGeoGrainActivation.Stored => _current.Stored;

    async Task IGeoGrainActivation.ReloadAsync(CancellationToken cancellationToken)
    {
        if (await _store.ReadAsync(this.GetGrainId(), cancellationToken) is { } stored)
        {
            Accept(stored, null);
        }
    }

    // From the replication receiver, which may hand a replica many versions between two reads (a healed partition's
    // backlog, resolved without it): each is parsed only if it is read.
    void IReplicaActivation.Accept(StoredGeoRecord stored) => Accept(stored, null, parseNow: false);

    async Task<bool> IGeoGrainActivation.WaitUntilAsync(Func<StoredGeoRecord?, bool> condition, TimeSpan timeout)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            // Take the signal before looking, so that a version taken in between is not missed.
            var advanced = Volatile.Read(ref _advanced).Task;
            if (condition(_current.Stored))
            {
                return true;
            }

            var left = TimeProvider.System.GetElapsedTime(TimeProvider.System.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await advanced.WaitAsync(left);
            }
            catch (TimeoutException)
            {
                return condition(_current.Stored);
            }
        }
    }

    TState IGeoGrainActivation<TState>.CurrentState => _current.State;

    void IGeoGrainActivation<TState>.Accept(StoredGeoRecord stored, TState? state) => Accept(stored, state);

    /// <summary>
    /// Takes a version as the activation's current one unless it already holds a later one. Writes run one at a time
    /// under the write lock, but the replication receiver's notifications race with them, so this is lock-free and the
    /// later version always wins. Without <paramref name="state"/>, the version's state is parsed now, or with
    /// <paramref name="parseNow"/> false when it is first read.
    /// </summary>
    private void Accept(StoredGeoRecord stored, TState? state, bool parseNow = true)
    {
        while (true)
        {
            var current = Volatile.Read(ref _current);
            if (current.Stored is { } held && (held.Record.IsNewerThan(stored.Record) || held.ETag == stored.ETag))
            {
                return;
            }

            var next = new Snapshot(stored, state);
            if (parseNow)
            {
                _ = next.State;
            }

            if (Interlocked.CompareExchange(ref _current, next, current) == current)
            {
                Interlocked.Exchange(ref _advanced, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                return;
            }
        }
    }

    // A version and its state, parsed from the version's JSON when first read unless given (read at once from several
    // threads, it may be parsed more than once, to equal states).
    private sealed class Snapshot(StoredGeoRecord? stored, TState? state)
    {
        private TState? _state = state;

        public StoredGeoRecord? Stored { get; } = stored;

        public TState State => _state ??= GeoStateSerializer.Deserialize<TState>(Stored!.Record.State);
    }
}
