using CsCheck;
using GeoGrains.Runtime.Storage;
using Orleans.Runtime;

namespace GeoGrains.Tests.ActiveActive;

/// <summary>The layout of the conflict feed's time index: rows sort by time, and a window's bounds take exactly its records.</summary>
public sealed class ConflictIndexKeysTests
{
    private static readonly GrainId Grain = GrainId.Create("flag", "f1");

    // Hybrid-clock readings from 2001 to 2286, logical counters up to int.MaxValue.
    private static readonly Gen<HybridTimestamp> Time =
        Gen.Select(Gen.Long[1_000_000_000_000, 9_999_999_999_999], Gen.Int[0, int.MaxValue], (ms, logical) => new HybridTimestamp(ms, logical));

    [Fact]
    public void Rows_sort_by_hybrid_time_and_buckets_by_hour_whatever_the_grain_and_record()
    {
        Gen.Select(Time, Time, Gen.String, Gen.String).Sample((a, b, idA, idB) =>
        {
            var rowA = ConflictIndexKeys.RowKey(new ConflictIndexEntry(Grain, a, idA));
            var rowB = ConflictIndexKeys.RowKey(new ConflictIndexEntry(GrainId.Create("flag", "f2"), b, null, 3, 9));
            if (a != b)
            {
                Assert.Equal(Math.Sign(a.CompareTo(b)), Math.Sign(string.CompareOrdinal(rowA, rowB)));
            }

            var hours = Math.Sign((a.PhysicalMilliseconds / 3_600_000).CompareTo(b.PhysicalMilliseconds / 3_600_000));
            Assert.Equal(hours, Math.Sign(string.CompareOrdinal(ConflictIndexKeys.Bucket(a.PhysicalMilliseconds), ConflictIndexKeys.Bucket(b.PhysicalMilliseconds))));
        });
    }

    [Fact]
    public void A_windows_row_range_holds_exactly_the_times_within_it()
    {
        Gen.Select(Time, Gen.Long[-5, 5], Gen.Long[1, 10_000]).Sample((time, offset, length) =>
        {
            var from = time.WallClock.AddMilliseconds(offset);
            var to = from.AddMilliseconds(length);
            var (fromMs, toMs) = ConflictIndexKeys.Milliseconds(from, to);
            var (fromRow, toRow) = ConflictIndexKeys.Rows(fromMs, toMs);
            var row = ConflictIndexKeys.RowKey(new ConflictIndexEntry(Grain, time, "c"));
            var inWindow = time.WallClock >= from && time.WallClock < to;
            Assert.Equal(inWindow, string.CompareOrdinal(row, fromRow) >= 0 && string.CompareOrdinal(row, toRow) < 0);

            var (firstBucket, bucketsEnd) = ConflictIndexKeys.Buckets(fromMs, toMs);
            var bucket = ConflictIndexKeys.Bucket(time.PhysicalMilliseconds);
            if (inWindow)
            {
                Assert.True(string.CompareOrdinal(bucket, firstBucket) >= 0 && string.CompareOrdinal(bucket, bucketsEnd) < 0, $"{bucket} not in [{firstBucket}, {bucketsEnd})");
            }
        });
    }

    [Fact]
    public void Window_bounds_round_up_to_the_millisecond_so_a_record_is_in_exactly_when_from_is_at_or_before_it_and_to_after_it()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        Assert.Equal((1_700_000_000_123, 1_700_000_000_124), ConflictIndexKeys.Milliseconds(at, at.AddMilliseconds(1)));
        Assert.Equal((1_700_000_000_124, 1_700_000_000_124), ConflictIndexKeys.Milliseconds(at.AddTicks(1), at.AddTicks(2)));
        Assert.Equal((0, 1), ConflictIndexKeys.Milliseconds(DateTimeOffset.MinValue, DateTimeOffset.UnixEpoch.AddTicks(1)));
        Assert.Equal("2023111422", ConflictIndexKeys.Bucket(1_700_000_000_123));
        Assert.Equal("c|2023111422", ConflictIndexKeys.PartitionOf("2023111422"));
    }

    [Fact]
    public void An_entry_counts_only_for_the_record_stored_at_its_own_time()
    {
        var entry = new ConflictIndexEntry(Grain, new HybridTimestamp(100, 2), "c");
        Assert.True(entry.Confirms(new HybridTimestamp(100, 2)));
        Assert.False(entry.Confirms(new HybridTimestamp(100, 3)));
        Assert.False(entry.Confirms(new HybridTimestamp(101, 2)));
    }
}
