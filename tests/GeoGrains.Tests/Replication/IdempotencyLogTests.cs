using GeoGrains.Runtime.Storage;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace GeoGrains.Tests.Replication;

public sealed class IdempotencyLogTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private static readonly HybridTimestamp T0 = new(1_700_000_000_000, 0);

    private static HybridTimestamp At(TimeSpan after) => new(T0.PhysicalMilliseconds + (long)after.TotalMilliseconds, 0);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void A_keyed_write_is_found_within_the_window_and_not_after_it_even_before_a_write_drops_it()
    {
        var log = IdempotencyLog.Commit(null, "k1", version: 3, T0, Window, maxEntries: 10);

        var found = IdempotencyLog.Find(log, "k1", At(Window), Window);
        Assert.NotNull(found);
        Assert.Equal(3, found.Version);
        Assert.Null(found.Outcome);

        // Past the window the retry applies again, although no write has dropped the entry yet.
        Assert.Null(IdempotencyLog.Find(log, "k1", At(Window + TimeSpan.FromMilliseconds(1)), Window));
        Assert.Null(IdempotencyLog.Find(log, "other", T0, Window));
        Assert.Null(IdempotencyLog.Find(null, "k1", T0, Window));
    }

    [Fact]
    public void The_next_write_drops_entries_older_than_the_window_and_keeps_the_others_in_order()
    {
        var log = IdempotencyLog.Commit(null, "old", 1, T0, Window, 10);
        log = IdempotencyLog.Commit(log, "recent", 2, At(TimeSpan.FromMinutes(3)), Window, 10);

        // An unkeyed write prunes too: cost follows the change, no sweep.
        log = IdempotencyLog.Commit(log, key: null, 3, At(TimeSpan.FromMinutes(6)), Window, 10);
        Assert.Equal(["recent"], log!.Select(e => e.Key));

        log = IdempotencyLog.Commit(log, "new", 4, At(TimeSpan.FromMinutes(7)), Window, 10);
        Assert.Equal(["recent", "new"], log!.Select(e => e.Key));

        Assert.Null(IdempotencyLog.Commit(log, null, 5, At(TimeSpan.FromMinutes(20)), Window, 10));
    }

    [Fact]
    public void A_method_that_writes_twice_under_one_key_keeps_its_first_entry_and_outcome()
    {
        var log = IdempotencyLog.Commit(null, "k", 7, T0, Window, 10);
        log = IdempotencyLog.Commit(log, "k", 8, At(TimeSpan.FromSeconds(1)), Window, 10);

        var entry = Assert.Single(log!);
        Assert.Equal(7, entry.Version);
        Assert.Equal(T0, entry.AppliedAt);
    }

    [Fact]
    public void The_first_outcome_is_recorded_and_never_replaced()
    {
        var log = IdempotencyLog.Commit(null, "a", 1, T0, Window, 10);
        log = IdempotencyLog.Commit(log, "b", 2, T0, Window, 10);

        var settled = IdempotencyLog.Settle(log, "b", Bytes("first"));
        Assert.NotNull(settled);
        Assert.Null(settled.Single(e => e.Key == "a").Outcome);
        Assert.Equal("first", Encoding.UTF8.GetString(settled.Single(e => e.Key == "b").Outcome!));

        // Nothing to record: an outcome is there already, or the key is unknown.
        Assert.Null(IdempotencyLog.Settle(settled, "b", Bytes("second")));
        Assert.Null(IdempotencyLog.Settle(settled, "c", Bytes("x")));
        Assert.Null(IdempotencyLog.Settle(null, "b", Bytes("x")));

        // A later write of the grain carries the outcome on.
        var later = IdempotencyLog.Commit(settled, null, 3, At(TimeSpan.FromSeconds(5)), Window, 10);
        Assert.Equal("first", Encoding.UTF8.GetString(IdempotencyLog.Find(later, "b", At(TimeSpan.FromSeconds(5)), Window)!.Outcome!));
    }

    [Fact]
    public void A_busy_grain_remembers_at_most_the_cap_dropping_the_oldest()
    {
        IdempotencyEntry[]? log = null;
        for (var i = 1; i <= 5; i++)
        {
            log = IdempotencyLog.Commit(log, $"k{i}", i, At(TimeSpan.FromSeconds(i)), Window, maxEntries: 3);
        }

        Assert.Equal(["k3", "k4", "k5"], log!.Select(e => e.Key));
    }

    [Fact]
    public void A_result_rewrite_of_a_version_replicates_after_it_and_before_the_next_version()
    {
        var version = new GeoRecord(4, 1, T0, "eu-west", Bytes("{}"));
        var settled = version with { Revision = 1 };
        var next = new GeoRecord(5, 1, At(TimeSpan.FromSeconds(1)), "eu-west", Bytes("{}"));
        var newerOwner = new GeoRecord(1, 2, At(TimeSpan.FromSeconds(1)), "us-east", Bytes("{}"));

        Assert.True(settled.IsNewerThan(version));
        Assert.False(version.IsNewerThan(settled));
        Assert.False(settled.IsNewerThan(settled with { }));
        Assert.True(next.IsNewerThan(settled));
        Assert.False(settled.IsNewerThan(next));
        Assert.True(newerOwner.IsNewerThan(settled with { Revision = 9 }));
    }

    [Fact]
    public void The_dedup_section_travels_with_the_record_through_Orleans_serialization()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var outcome = serializer.SerializeToArray(new IdempotentOutcome { Result = "receipt-42" });
        var record = new GeoRecord(4, 1, T0, "eu-west", Bytes("{}"),
            Applied: IdempotencyLog.Settle(IdempotencyLog.Commit(null, "k", 4, T0, Window, 10), "k", outcome), Revision: 1);

        var copy = serializer.Deserialize<GeoRecord>(serializer.SerializeToArray(record))!;

        Assert.Equal(1, copy.Revision);
        var entry = Assert.Single(copy.Applied!);
        Assert.Equal(("k", 4L, T0), (entry.Key, entry.Version, entry.AppliedAt));
        Assert.Equal("receipt-42", serializer.Deserialize<IdempotentOutcome>(entry.Outcome!)!.Result);
    }
}
