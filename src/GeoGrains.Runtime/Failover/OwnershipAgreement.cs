using Microsoft.Extensions.Logging;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// Changes the regions' <see cref="RegionConfiguration"/> by agreement of a majority of regions: a compare-and-set
/// register over Paxos ballots (CASPaxos). Phase 1 asks every region's acceptor to promise a new ballot and collects
/// their accepted values; the value with the highest ballot is the current configuration; the change is applied to it;
/// phase 2 asks the acceptors to accept the result. Accepted by a majority, it is chosen, and no other proposer can
/// choose a value that does not contain it, because every later phase 1 meets an acceptor that accepted it. Then every
/// region is told (and learns it from probes if it missed that).
/// </summary>
internal sealed class OwnershipAgreement(RegionId self, IReadOnlyList<RegionId> regions, IAgreementPeers peers, TimeSpan callTimeout, ILogger logger)
{
    private long _round;

    /// <summary>Votes needed: a majority of all regions.</summary>
    public int Majority => regions.Count / 2 + 1;

    /// <summary>
    /// Applies <paramref name="change"/> to the current configuration, by agreement. <paramref name="change"/> gets the
    /// current value and the promises (with each region's freshness), and returns the next value, or <see langword="null"/>
    /// when nothing is to change (the current value is then written back, so that it is chosen for certain).
    /// </summary>
    /// <param name="change">The change: from the current value and the promises to the next value, or null.</param>
    /// <param name="awaited">Regions whose promise is worth waiting for even once a majority has promised (their freshness counts).</param>
    /// <param name="cancellationToken">Stops waiting for answers.</param>
    public async Task<AgreementOutcome> ChangeAsync(
        Func<RegionConfiguration, IReadOnlyList<PrepareReply>, RegionConfiguration?> change,
        IReadOnlySet<RegionId> awaited,
        CancellationToken cancellationToken)
    {
        var ballot = new Ballot(Interlocked.Increment(ref _round), self.Value);

        var prepared = await GatherAsync(r => peers.PrepareAsync(r, ballot, cancellationToken), p => p.Promised, awaited, cancellationToken);
        var promises = prepared.Where(p => p.Promised).ToList();
        Observe(prepared.Select(p => p.Highest));
        if (promises.Count < Majority)
        {
            return AgreementOutcome.NotDecided(TimeSpan.Zero, $"{promises.Count} of {regions.Count} regions promised ballot {ballot}, {Majority} needed");
        }

        var current = promises.MaxBy(p => p.Accepted)!.Value;
        var next = change(current, promises) ?? current;

        var accepted = await GatherAsync(r => peers.AcceptAsync(r, ballot, next, cancellationToken), a => a.Accepted, new HashSet<RegionId>(), cancellationToken);
        Observe(accepted.Select(a => a.Highest));
        var yes = accepted.Count(a => a.Accepted);
        if (yes < Majority)
        {
            var refusals = accepted.Where(a => !a.Accepted).ToList();
            var retryAfter = refusals.Count == 0 ? TimeSpan.Zero : refusals.Max(a => a.RetryAfter);
            return AgreementOutcome.NotDecided(retryAfter,
                $"{yes} of {regions.Count} regions accepted {next}, {Majority} needed{string.Concat(refusals.Select(r => $"; {r.Acceptor}: {r.Reason}"))}");
        }

        logger.LogInformation("Region {Region}: the regions chose configuration {Configuration} (ballot {Ballot}).", self, next, ballot);
        await peers.LearnAsync(self, next, cancellationToken);
        foreach (var region in regions.Where(r => r != self))
        {
            _ = TellAsync(region, next);
        }

        return AgreementOutcome.Decided(next);
    }

    private async Task TellAsync(RegionId region, RegionConfiguration chosen)
    {
        try
        {
            await peers.LearnAsync(region, chosen, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // It learns from the next probe that reaches it.
            logger.LogDebug("Region {Region} was not told configuration {Generation}: {Reason}", region, chosen.Generation, exception.Message);
        }
    }

    private void Observe(IEnumerable<Ballot> ballots)
    {
        foreach (var ballot in ballots)
        {
            long seen;
            while ((seen = Interlocked.Read(ref _round)) < ballot.Round && Interlocked.CompareExchange(ref _round, ballot.Round, seen) != seen)
            {
            }
        }
    }

    /// <summary>
    /// Asks every region at once; returns the answers once a majority said yes and every region of <paramref name="awaited"/>
    /// answered, or once a majority can no longer say yes, or after the call timeout. A region that fails or does not
    /// answer in time counts as a no.
    /// </summary>
    private async Task<List<T>> GatherAsync<T>(Func<RegionId, Task<T>> ask, Func<T, bool> isYes, IReadOnlySet<RegionId> awaited, CancellationToken cancellationToken)
        where T : class
    {
        var answers = new List<T>();
        // A list, not a dictionary keyed by task: calls that fail at once all return the same cached completed task.
        var pending = regions.Select(r => (Region: r, Answer: Call(r))).ToList();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(callTimeout);
        var expired = Task.Delay(Timeout.Infinite, timeout.Token).ContinueWith(_ => (T?)null, TaskScheduler.Default);
        var yes = 0;
        var no = 0;
        while (pending.Count > 0)
        {
            if (yes >= Majority && !pending.Any(p => awaited.Contains(p.Region)))
            {
                break;
            }

            if (regions.Count - no < Majority)
            {
                break;
            }

            var done = await Task.WhenAny(pending.Select(p => p.Answer).Append(expired));
            if (done == expired)
            {
                break;
            }

            pending.RemoveAt(pending.FindIndex(p => p.Answer == done));
            if (done.Result is { } answer)
            {
                answers.Add(answer);
                if (isYes(answer))
                {
                    yes++;
                }
                else
                {
                    no++;
                }
            }
            else
            {
                no++;
            }
        }

        return answers;

        async Task<T?> Call(RegionId region)
        {
            try
            {
                return await ask(region).WaitAsync(callTimeout, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogDebug("Region {Region}: agreement call to {Acceptor} failed: {Reason}", self, region, exception.Message);
                return null;
            }
        }
    }
}
