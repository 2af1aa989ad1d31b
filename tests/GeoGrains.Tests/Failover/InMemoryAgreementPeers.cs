using System.Collections.Concurrent;
using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Tests.Failover;

/// <summary>
/// Every region's acceptor on its own in-memory table, reached directly, as the links would reach them: a region can be
/// cut off (its calls fail at once, as a link known to be down does), and each acceptor can be told to refuse a takeover for a lease.
/// Every call to a reachable region hops through the thread pool a varying number of times, so that concurrent proposers interleave.
/// </summary>
internal sealed class InMemoryAgreementPeers : IAgreementPeers
{
    private readonly Dictionary<RegionId, OwnershipAcceptor> _acceptors;
    private readonly ConcurrentDictionary<RegionId, bool> _cut = new();
    private readonly ConcurrentQueue<(RegionId Learner, RegionConfiguration Chosen, Task Learning)> _told = new();
    private readonly ConcurrentDictionary<Ballot, OthersAnswered> _prepares = new();

    public InMemoryAgreementPeers(params RegionId[] regions)
    {
        Regions = regions;
        _acceptors = regions.ToDictionary(r => r, r => new OwnershipAcceptor(new MemoryRegionTable(new RegionStorageAccount(r), new RegionStorageMetrics()), FailoverTestSerializer.Instance));
    }

    public IReadOnlyList<RegionId> Regions { get; }

    /// <summary>How long the acceptor (first) must still wait before taking the holder's (second) grains away.</summary>
    public Func<RegionId, RegionId, TimeSpan> WaitBeforeTakeover { get; set; } = (_, _) => TimeSpan.Zero;

    /// <summary>Every learner told so far, with what it was told.</summary>
    public IReadOnlyList<(RegionId Learner, RegionConfiguration Chosen)> Told => [.. _told.Select(t => (t.Learner, t.Chosen))];

    /// <summary>A region whose promise arrives only after every other reachable region's promise for the same ballot.</summary>
    public RegionId? AnswersLast { get; set; }

    public OwnershipAcceptor this[RegionId region] => _acceptors[region];

    public void Cut(RegionId region) => _cut[region] = true;

    public void Restore(RegionId region) => _cut.TryRemove(region, out _);

    /// <summary>Waits until every learner told so far has taken (or failed to take) what it was told.</summary>
    public async Task TellingDoneAsync()
    {
        foreach (var (_, _, learning) in _told)
        {
            try
            {
                await learning;
            }
            catch (RegionUnreachableException)
            {
                // A region cut off learns later, from a probe.
            }
        }
    }

    public async Task<PrepareReply> PrepareAsync(RegionId acceptor, Ballot ballot, CancellationToken cancellationToken)
    {
        await ReachAsync(acceptor);
        if (AnswersLast is not { } last)
        {
            return await _acceptors[acceptor].PrepareAsync(ballot, cancellationToken);
        }

        var others = _prepares.GetOrAdd(ballot, _ => new OthersAnswered(Regions.Count(r => r != last && !_cut.ContainsKey(r))));
        if (acceptor == last)
        {
            await others.Task;
            return await _acceptors[acceptor].PrepareAsync(ballot, cancellationToken);
        }

        try
        {
            return await _acceptors[acceptor].PrepareAsync(ballot, cancellationToken);
        }
        finally
        {
            others.Answered();
        }
    }

    public async Task<AcceptReply> AcceptAsync(RegionId acceptor, Ballot ballot, RegionConfiguration value, CancellationToken cancellationToken)
    {
        await ReachAsync(acceptor);
        return await _acceptors[acceptor].AcceptAsync(ballot, value, holder => WaitBeforeTakeover(acceptor, holder), cancellationToken);
    }

    public Task LearnAsync(RegionId learner, RegionConfiguration chosen, CancellationToken cancellationToken)
    {
        var learning = LearnCoreAsync(learner, chosen, cancellationToken);
        _told.Enqueue((learner, chosen, learning));
        return learning;
    }

    private async Task LearnCoreAsync(RegionId learner, RegionConfiguration chosen, CancellationToken cancellationToken)
    {
        await ReachAsync(learner);
        await _acceptors[learner].LearnAsync(chosen, cancellationToken);
    }

    // A region cut off fails at once, as a link known to be down does; one reached answers later, after a varying number
    // of hops through the thread pool, so that concurrent proposers' calls arrive in varying orders.
    private async Task ReachAsync(RegionId region)
    {
        if (_cut.ContainsKey(region))
        {
            throw new RegionUnreachableException("test", region, "the region is cut off");
        }

        for (var hops = Random.Shared.Next(1, 4); hops > 0; hops--)
        {
            await Task.Yield();
        }
    }

    private sealed class OthersAnswered(int count)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _left = count;

        public Task Task => Volatile.Read(ref _left) <= 0 ? Task.CompletedTask : _all.Task;

        public void Answered()
        {
            if (Interlocked.Decrement(ref _left) == 0)
            {
                _all.TrySetResult();
            }
        }
    }
}
