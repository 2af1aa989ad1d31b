using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Writes;

namespace GeoGrains.Tests.Writes;

/// <summary>An activation of a counter geo grain as the write turn sees it, without Orleans: what <c>GeoGrain&lt;TState&gt;</c> does for it.</summary>
internal sealed class TestActivation(GrainId grain, GeoGrainRegistration registration, GeoStore store) : IGeoGrainActivation<WriteTurnHarness.CounterState>
{
    private readonly Lock _lock = new();
    private StoredGeoRecord? _stored;
    private WriteTurnHarness.CounterState _state = new();

    public GrainId GrainId => grain;

    public GeoGrainRegistration Registration => registration;

    public GrainWriteLock WriteLock { get; } = new();

    public StoredGeoRecord? Stored
    {
        get
        {
            lock (_lock)
            {
                return _stored;
            }
        }
    }

    public WriteTurnHarness.CounterState CurrentState
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        if (await store.ReadAsync(grain, cancellationToken) is { } stored)
        {
            Accept(stored, null);
        }
    }

    public void Accept(StoredGeoRecord stored) => Accept(stored, null);

    public void Accept(StoredGeoRecord stored, WriteTurnHarness.CounterState? state)
    {
        lock (_lock)
        {
            if (_stored is { } held && (held.Record.IsNewerThan(stored.Record) || held.ETag == stored.ETag))
            {
                return;
            }

            _stored = stored;
            _state = state ?? GeoStateSerializer.Deserialize<WriteTurnHarness.CounterState>(stored.Record.State);
        }
    }

    public Task<bool> WaitUntilAsync(Func<StoredGeoRecord?, bool> condition, TimeSpan timeout) => Task.FromResult(condition(Stored));
}
