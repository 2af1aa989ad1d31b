using GeoGrains.Runtime;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Replication;
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
/// and change it only through <see cref="Update"/>.
/// </remarks>
/// <typeparam name="TState">The grain's state.</typeparam>
[Reentrant]
public abstract class GeoGrain<TState> : Grain, IGeoGrainControl, IGeoGrainActivation
    where TState : class
{
    // Which activation, if any, the current call is writing as: per call flow, so a read interleaved with a write cannot write.
    private static readonly AsyncLocal<WriteTicket?> Writing = new();

    // Writes are serialized here rather than by Orleans' turn-based scheduling: a call that is only being forwarded to the
    // owner must not hold the activation while it waits, or two regions forwarding to each other during a move would deadlock.
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private GeoGrainRuntime _geo = null!;
    private GeoGrainRegistration _registration = null!;
    private GeoRecord? _record;
    private TState _state = null!;

    /// <summary>The state as of <see cref="Version"/>.</summary>
    protected TState State => _state;

    /// <summary>The version of <see cref="State"/> (0 before the first write).</summary>
    protected long Version => _record?.Version ?? 0;

    /// <summary>The region this activation runs in.</summary>
    protected RegionId Region => _geo.Region;

    /// <summary>The grain's home region, from its key.</summary>
    protected RegionId Home => _registration.Home;

    /// <summary>The state of a grain that was never written. Default: <typeparamref name="TState"/>'s parameterless constructor.</summary>
    protected virtual TState CreateInitialState() =>
        typeof(TState).GetConstructor(Type.EmptyTypes) is not null
            ? Activator.CreateInstance<TState>()
            : throw new InvalidOperationException(
                $"{GetType().Name}: {typeof(TState).Name} has no parameterless constructor; override CreateInitialState to give the state of a new grain.");

    /// <summary>
    /// Commits a new version of the state: durable in the owner region when this returns, then replicated to the others
    /// and published on the change feed (<see cref="GeoChangeFeed"/>).
    /// Only methods that are not <c>[ReadOnly]</c> may call it; they run in the owner region.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called outside a write (e.g. from a <c>[ReadOnly]</c> method or a timer).</exception>
    protected Task Update(Func<TState, TState> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var owner = Writing.Value is { } ticket && ReferenceEquals(ticket.Grain, this) ? ticket.Ownership : throw new InvalidOperationException(
            $"{GetType().Name}.Update was called outside a write. Methods marked [ReadOnly] run on replicas and cannot change state.");
        var next = change(_state) ?? throw new InvalidOperationException($"{GetType().Name}.Update: the change returned null.");
        _record = _geo.Commit(this.GetGrainId(), _record, _geo.Serialize(next), owner);
        _state = next;

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _geo = ServiceProvider.GetRequiredService<GeoGrainRuntime>();
        _registration = _geo.Register(GetType(), this.GetGrainId());
        _state = CreateInitialState();
        RefreshFromStore();
        return base.OnActivateAsync(cancellationToken);
    }

    async Task<GeoGrainStatus> IGeoGrainControl.GetGeoStatus()
    {
        RefreshFromStore();
        var ownership = await _geo.Ownership.ResolveAsync(this.GetGrainId(), _registration.Partition);
        return new GeoGrainStatus(_geo.Region, _registration.Home, ownership, Version, _record?.Epoch ?? 0,
            _record?.CommittedAt ?? default, _record?.CommittedIn);
    }

    async Task<GrainOwnership> IGeoGrainControl.HandOff(RegionId newOwner)
    {
        await _writeLock.WaitAsync();
        try
        {
            RefreshFromStore();
            return await _geo.HandOffAsync(this.GetGrainId(), _registration, _record, newOwner);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    GeoGrainRegistration IGeoGrainActivation.Registration => _registration;

    void IGeoGrainActivation.RefreshFromStore() => RefreshFromStore();

    Task IGeoGrainActivation.AcquireWriteLockAsync() => _writeLock.WaitAsync();

    void IGeoGrainActivation.ReleaseWriteLock() => _writeLock.Release();

    void IGeoGrainActivation.BeginWrite(GrainOwnership ownership)
    {
        // This activation may have been a replica until now (the grain moved here): continue from the latest version.
        RefreshFromStore();
        Writing.Value = new WriteTicket(this, ownership);
    }

    void IGeoGrainActivation.EndWrite() => Writing.Value = null;

    private sealed record WriteTicket(object Grain, GrainOwnership Ownership);

    private void RefreshFromStore()
    {
        if (_geo.Store.Read(this.GetGrainId()) is { } stored && stored.IsNewerThan(_record))
        {
            _record = stored;
            _state = _geo.Deserialize<TState>(stored.State);
        }
    }
}
