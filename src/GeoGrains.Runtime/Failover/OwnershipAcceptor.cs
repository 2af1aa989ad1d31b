using GeoGrains.Runtime.Storage;
using Orleans.Serialization;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// This region's acceptor of <see cref="OwnershipAgreement"/>: it keeps its promise, its accepted value and the newest
/// chosen configuration it has learned in one row of the region's table, written (conditionally on the row's ETag)
/// before it answers, so that a restart, or another activation, never forgets a promise.
/// </summary>
internal sealed class OwnershipAcceptor(IRegionTable table, Serializer serializer)
{
    private const string Partition = "f";
    private const string Row = "acceptor";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private AcceptorState _state = AcceptorState.Initial;
    private RegionConfiguration? _accepting;
    private string? _etag;

    public RegionId Region => table.Region;

    /// <summary>The newest configuration this region knows was chosen: what it routes by.</summary>
    public RegionConfiguration Learned => Volatile.Read(ref _state).Learned;

    /// <summary>The newest generation this acceptor has accepted or learned (or is accepting now).</summary>
    public long FenceGeneration
    {
        get
        {
            var state = Volatile.Read(ref _state);
            return Math.Max(Math.Max(state.Learned.Generation, state.Value.Generation), Volatile.Read(ref _accepting)?.Generation ?? 0);
        }
    }

    /// <summary>Whether this acceptor holds <paramref name="region"/> away, in a value it learned or merely accepted (which may be chosen).</summary>
    public bool HoldsAway(RegionId region)
    {
        // A value being accepted counts already: a lease confirmed while it is written would outlive the acceptance.
        var state = Volatile.Read(ref _state);
        return state.Learned.IsAway(region)
            || (state.Value.Generation > state.Learned.Generation && state.Value.IsAway(region))
            || Volatile.Read(ref _accepting)?.IsAway(region) == true;
    }

    /// <summary>
    /// The acceptor's durable row as it is now, read without taking part in the agreement (a silo whose observer does not
    /// answer takes its region's vote and the learned configuration from it); null when the region has none yet.
    /// </summary>
    public static async Task<AcceptorState?> ReadAsync(IRegionTable table, Serializer serializer, CancellationToken cancellationToken = default) =>
        await table.ReadAsync(Partition, Row, cancellationToken) is { } row ? serializer.Deserialize<AcceptorState>(row.Data) : null;

    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await ReloadAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Phase 1: promises to accept nothing below <paramref name="ballot"/>, and tells what it accepted.</summary>
    public async Task<PrepareReply> PrepareAsync(Ballot ballot, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var state = _state;
            if (ballot <= state.Promised)
            {
                return new PrepareReply(Region, false, state.Promised, state.Accepted, state.Value, []);
            }

            state = await WriteAsync(state with { Promised = ballot }, cancellationToken);
            return state is null
                ? new PrepareReply(Region, false, _state.Promised, _state.Accepted, _state.Value, [])
                : new PrepareReply(Region, true, state.Promised, state.Accepted, state.Value, []);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Phase 2: accepts <paramref name="value"/> unless a higher ballot was promised, or the value takes grains away from a
    /// region for which <paramref name="waitBeforeTakeover"/> is not zero yet (this region confirmed its lease recently).
    /// </summary>
    public async Task<AcceptReply> AcceptAsync(Ballot ballot, RegionConfiguration value, Func<RegionId, TimeSpan> waitBeforeTakeover, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var state = _state;
            if (ballot < state.Promised)
            {
                return new AcceptReply(Region, false, state.Promised, TimeSpan.Zero, $"promised ballot {state.Promised}");
            }

            var current = state.Value.Generation >= state.Learned.Generation ? state.Value : state.Learned;
            // A planned move (drain, return) waits for no lease here: the new owner waits a lease period after it learns
            // the move instead, by which time every lease confirmed before the move was accepted has lapsed.
            foreach (var tenure in value.Tenures.Values.Where(t => t.State == TenureState.Away && !t.Planned && !current.IsAway(t.Region)))
            {
                var wait = waitBeforeTakeover(tenure.Region);
                if (wait > TimeSpan.Zero)
                {
                    return new AcceptReply(Region, false, state.Promised, wait, $"'{Region}' confirmed the lease of '{tenure.Region}' less than a lease period ago");
                }
            }

            AcceptorState? written;
            Volatile.Write(ref _accepting, value);
            try
            {
                written = await WriteAsync(state with { Promised = ballot, Accepted = ballot, Value = value }, cancellationToken);
            }
            finally
            {
                Volatile.Write(ref _accepting, null);
            }

            return written is null
                ? new AcceptReply(Region, false, _state.Promised, TimeSpan.Zero, "another activation of the acceptor wrote meanwhile")
                : new AcceptReply(Region, true, ballot, TimeSpan.Zero, string.Empty);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Takes a chosen configuration if it is newer than the learned one; returns whether it was.</summary>
    public async Task<bool> LearnAsync(RegionConfiguration chosen, CancellationToken cancellationToken = default)
    {
        if (chosen.Generation <= Learned.Generation)
        {
            return false;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                if (chosen.Generation <= _state.Learned.Generation)
                {
                    return false;
                }

                if (await WriteAsync(_state with { Learned = chosen }, cancellationToken) is not null)
                {
                    return true;
                }
            }

            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    // Under the gate. Null when another writer changed the row: the state is reloaded and the request refused.
    private async Task<AcceptorState?> WriteAsync(AcceptorState next, CancellationToken cancellationToken)
    {
        try
        {
            var etags = await table.WriteAsync([TableWrite.ReplaceOrInsert(Partition, Row, serializer.SerializeToArray(next), _etag)], cancellationToken);
            _etag = etags[0];
            Volatile.Write(ref _state, next);
            return next;
        }
        catch (TableConditionFailedException)
        {
            await ReloadAsync(cancellationToken);
            return null;
        }
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        if (await table.ReadAsync(Partition, Row, cancellationToken) is { } row)
        {
            _etag = row.ETag;
            Volatile.Write(ref _state, serializer.Deserialize<AcceptorState>(row.Data)!);
        }
    }
}
