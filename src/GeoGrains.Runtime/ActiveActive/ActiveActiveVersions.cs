using GeoGrains.Runtime.Storage;
using System.Globalization;
using GeoGrains.Crdts;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>
/// The versions of an active-active grain. Every region commits locally, so versions are ordered by their version
/// vectors (one counter per region), not by (epoch, version): an incoming version that the stored one has seen is
/// ignored, one that has seen the stored one replaces it, and two concurrent ones are resolved by the grain's policy.
/// A resolution depends only on the pair, never on which region computes it or in which order the pair arrived, so
/// every region stores byte-identical records. <see cref="GeoRecord.Version"/> is the vector's total: each record a
/// region stores has seen the one before, so the total grows and the (epoch, version) order used by activations and
/// the shipper stays right within a region.
/// </summary>
internal static class ActiveActiveVersions
{
    /// <summary>The vector of <paramref name="record"/>; a record written before the grain was active-active has seen nothing.</summary>
    public static VersionVector VectorOf(GeoRecord? record) => record?.Vector ?? VersionVector.Empty;

    /// <summary>How <paramref name="incoming"/> relates to <paramref name="stored"/> (none stored: it comes after).</summary>
    public static CausalOrder Order(GeoRecord incoming, GeoRecord? stored) =>
        stored is null ? CausalOrder.After : VectorOf(incoming).Compare(VectorOf(stored));

    /// <summary>The version a local write in <paramref name="region"/> commits after <paramref name="current"/>.</summary>
    public static GeoRecord Commit(GeoRecord? current, RegionId region, HybridTimestamp at, byte[] state)
    {
        var vector = VectorOf(current);
        vector = vector.With(vector.Next(region));
        return new GeoRecord(Total(vector), 0, at, region, state, Vector: vector);
    }

    /// <summary>
    /// Whether <paramref name="a"/> was committed after <paramref name="b"/>: the later hybrid clock time, the region id
    /// (ordinal) breaking a tie, then the vector's text (two resolutions of the same write).
    /// </summary>
    public static bool IsLater(GeoRecord a, GeoRecord b)
    {
        var byTime = a.CommittedAt.CompareTo(b.CommittedAt);
        if (byTime != 0)
        {
            return byTime > 0;
        }

        var byRegion = string.CompareOrdinal(a.CommittedIn.Value, b.CommittedIn.Value);
        return byRegion != 0 ? byRegion > 0 : string.CompareOrdinal(VectorOf(a).ToString(), VectorOf(b).ToString()) > 0;
    }

    /// <summary>
    /// Resolves two concurrent versions. <paramref name="merge"/> (for <see cref="ConflictPolicy.Crdt"/> and
    /// <see cref="ConflictPolicy.Custom"/>) is given the later state first, then the earlier, whichever region runs it;
    /// if it throws, the later version wins and the conflict says the merge failed. The result has the merged vector
    /// and the later version's commit time and region.
    /// </summary>
    /// <exception cref="ArgumentException">The versions are not concurrent.</exception>
    public static ConflictResolution Resolve(
        GrainId grain, GeoRecord local, GeoRecord remote, ConflictPolicy policy, Func<byte[], byte[], byte[]>? merge, RegionId resolvedIn, HybridTimestamp now)
    {
        if (Order(remote, local) != CausalOrder.Concurrent)
        {
            throw new ArgumentException($"Versions {VectorOf(local)} and {VectorOf(remote)} of '{grain}' are not concurrent; only concurrent versions are resolved.", nameof(remote));
        }

        var (later, earlier) = IsLater(local, remote) ? (local, remote) : (remote, local);
        var vector = VectorOf(local).Merge(VectorOf(remote));
        byte[] state = later.State;
        var outcome = ConflictOutcome.LastWriterWon;
        var detail = string.Empty;
        if (policy != ConflictPolicy.LastWriterWins)
        {
            ArgumentNullException.ThrowIfNull(merge);
            try
            {
                state = merge(later.State, earlier.State) ?? throw new InvalidOperationException("the merge returned null");
                outcome = ConflictOutcome.Merged;
            }
            catch (Exception exception)
            {
                outcome = ConflictOutcome.MergeFailed;
                detail = $"merge failed: {exception.Message}";
            }
        }

        var result = new GeoRecord(Total(vector), 0, later.CommittedAt, later.CommittedIn, state, Vector: vector);
        var id = outcome == ConflictOutcome.Merged ? $"merge|{Identity(later)}|{Identity(earlier)}" : $"lww|{Identity(earlier)}";
        var conflict = new ConflictRecord(
            grain, id, ToVersion(local), ToVersion(remote), policy, outcome, outcome == ConflictOutcome.Merged ? null : ToVersion(earlier),
            System.Text.Encoding.UTF8.GetString(state), detail, resolvedIn, now);
        return new ConflictResolution(result, conflict);
    }

    /// <summary>A version as the conflict feed shows it.</summary>
    public static ConflictVersion ToVersion(GeoRecord record) =>
        new(record.CommittedIn, record.CommittedAt, VectorOf(record), System.Text.Encoding.UTF8.GetString(record.State));

    // A write's region and commit time name it: a last-writer-wins resolution keeps the winner's, so the dropped state of
    // a write has one name wherever and however often it lost.
    private static string Identity(GeoRecord record) => string.Create(CultureInfo.InvariantCulture,
        $"{record.CommittedIn.Value}|{record.CommittedAt.PhysicalMilliseconds:x16}.{record.CommittedAt.Logical:x8}");

    private static long Total(VersionVector vector) => vector.Entries.Sum(e => e.Counter);
}

/// <summary>The record that resolves two concurrent versions, and the conflict to record.</summary>
internal sealed record ConflictResolution(GeoRecord Result, ConflictRecord Conflict);
