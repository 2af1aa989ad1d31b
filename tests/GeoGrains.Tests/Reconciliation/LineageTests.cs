using GeoGrains.Runtime.Storage;
using System.Text;

namespace GeoGrains.Tests.Reconciliation;

/// <summary>The orphan rule: which versions of an older epoch the owner's lineage never saw.</summary>
public sealed class LineageTests
{
    private const long OldEpoch = 1;
    private const long Takeover = 1L << 32;

    private static GeoRecord Record(long epoch, long version, long baseEpoch = 0, long baseVersion = 0) =>
        new(version, epoch, new HybridTimestamp(version, 0), "us-east", Encoding.UTF8.GetBytes("{}"), baseEpoch, baseVersion);

    // The successor continued from 1.4 under the takeover's epoch and is at version 6.
    private static readonly GeoRecord Current = Record(Takeover, 6, OldEpoch, 4);

    [Theory]
    [InlineData(5)]
    [InlineData(9)]
    public void A_version_of_the_base_epoch_after_the_base_version_is_an_orphan(long version) =>
        Assert.True(Lineage.IsOrphan(Record(OldEpoch, version), Current));

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void An_old_duplicate_of_a_version_the_owner_continued_from_is_not_an_orphan(long version) =>
        Assert.False(Lineage.IsOrphan(Record(OldEpoch, version), Current));

    [Fact]
    public void A_version_of_an_epoch_between_the_base_and_the_current_one_is_an_orphan() =>
        Assert.True(Lineage.IsOrphan(Record(OldEpoch + 1, 3), Current));

    [Fact]
    public void A_version_of_an_epoch_before_the_base_epoch_reads_as_history() =>
        Assert.False(Lineage.IsOrphan(Record(OldEpoch, 9), Record(Takeover, 6, OldEpoch + 1, 4)));

    [Theory]
    [InlineData(Takeover, 3)]
    [InlineData(Takeover, 7)]
    [InlineData(Takeover + 1, 1)]
    public void A_version_of_the_current_epoch_or_a_newer_one_is_never_an_orphan(long epoch, long version) =>
        Assert.False(Lineage.IsOrphan(Record(epoch, version), Current));

    [Fact]
    public void A_record_from_before_lineage_was_kept_takes_every_older_epoch_for_an_orphan() =>
        Assert.True(Lineage.IsOrphan(Record(OldEpoch, 1), Record(Takeover, 6)));

    [Fact]
    public void The_first_commit_of_an_epoch_continues_from_the_stored_version_and_later_ones_carry_it()
    {
        Assert.Equal((0L, 0L), Lineage.BaseOf(null, OldEpoch));
        Assert.Equal((OldEpoch, 4L), Lineage.BaseOf(Record(OldEpoch, 4), Takeover));
        Assert.Equal((OldEpoch, 4L), Lineage.BaseOf(Current, Takeover));
        Assert.Equal((Takeover, 6L), Lineage.BaseOf(Current, Takeover + 1));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(3)]
    public void A_stored_version_holds_itself_and_earlier_versions_of_its_epoch(long version) =>
        Assert.True(Lineage.Holds(Current, Record(Takeover, version)));

    [Fact]
    public void A_stored_version_does_not_hold_a_later_version_of_its_epoch() =>
        Assert.False(Lineage.Holds(Current, Record(Takeover, 7)));

    [Theory]
    [InlineData(4, true)]
    [InlineData(1, true)]
    [InlineData(5, false)]
    public void Of_the_epoch_before_it_a_stored_version_holds_what_its_epoch_continued_from_and_nothing_after(long version, bool held) =>
        Assert.Equal(held, Lineage.Holds(Current, Record(OldEpoch, version)));

    [Fact]
    public void A_version_of_an_epoch_before_the_base_epoch_is_not_held_for_certain() =>
        Assert.False(Lineage.Holds(Record(Takeover, 6, OldEpoch + 1, 4), Record(OldEpoch, 2)));

    [Fact]
    public void A_stored_version_holds_nothing_of_a_newer_epoch() =>
        Assert.False(Lineage.Holds(Record(OldEpoch, 9), Record(Takeover, 1)));
}
