using GeoGrains.Runtime.ActiveActive;
using GeoGrains.Runtime.Reconciliation;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Runtime.Admin;

/// <summary>
/// Lists the records of this region's conflict feed (conflicts and reconciliations) resolved in a time window: reads
/// the time index in order and keeps an entry only once the record it names is read back (a point read each) with the
/// entry's time, so an entry whose resolution never committed is never returned. Reads no more entries than it returns,
/// but for such unconfirmed ones.
/// </summary>
internal sealed class ConflictFeedQuery(ConflictTimeIndex index, ConflictStore conflicts, ReconciliationStore reconciliations)
{
    // Entries confirmed together (their point reads run at once); never more than are still wanted.
    private const int ConfirmBatch = 32;

    /// <summary>At most <paramref name="limit"/> records resolved here within [<paramref name="from"/>, <paramref name="to"/>), oldest first.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The window is empty or the limit not within 1 to <see cref="ConflictFeed.MaxLimit"/>.</exception>
    public async Task<IReadOnlyList<ConflictRecord>> ListAsync(DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken = default)
    {
        ConflictFeed.CheckQuery(from, to, limit);
        var (fromMs, toMs) = ConflictIndexKeys.Milliseconds(from, to);
        var found = new List<ConflictRecord>();
        var pending = new List<ConflictIndexEntry>();
        await foreach (var entry in index.ReadAsync(fromMs, toMs, cancellationToken))
        {
            pending.Add(entry);
            if (pending.Count >= Math.Min(ConfirmBatch, limit - found.Count))
            {
                await ConfirmAsync(pending, found, cancellationToken);
                pending.Clear();
                if (found.Count == limit)
                {
                    return found;
                }
            }
        }

        await ConfirmAsync(pending, found, cancellationToken);
        return found;
    }

    private async Task ConfirmAsync(List<ConflictIndexEntry> entries, List<ConflictRecord> found, CancellationToken cancellationToken)
    {
        var records = await Task.WhenAll(entries.Select(entry => ReadAsync(entry, cancellationToken)));
        found.AddRange(records.OfType<ConflictRecord>());
    }

    private async Task<ConflictRecord?> ReadAsync(ConflictIndexEntry entry, CancellationToken cancellationToken)
    {
        if (entry.IsReconciliation)
        {
            return await reconciliations.ReadConfirmedAsync(entry, cancellationToken) is { } reconciled ? ReconciliationConflicts.ToConflict(reconciled) : null;
        }

        return await conflicts.ReadConfirmedAsync(entry, cancellationToken);
    }
}
