using GeoGrains.Runtime.Storage;

namespace GeoGrains.Tests.Replication;

/// <summary>Which gone silos' outbox markers a recovering silo resumes, and what it records.</summary>
public sealed class OutboxAdoptionsTests
{
    private static HashSet<string> Silos(params string[] silos) => new(silos, StringComparer.Ordinal);

    private static OutboxAdoptions Adopted(params (string Gone, string Adopter)[] adoptions) =>
        new() { Adopters = adoptions.ToDictionary(a => a.Gone, a => a.Adopter, StringComparer.Ordinal) };

    [Fact]
    public void Markers_nobody_adopted_are_adopted_by_the_recovering_silo()
    {
        var (adopt, next) = OutboxAdoptions.None.Plan(Silos("dead-1", "dead-2"), Silos("live-1"), "live-1");

        Assert.Equal(["dead-1", "dead-2"], adopt);
        Assert.Equal(Adopted(("dead-1", "live-1"), ("dead-2", "live-1")).Adopters, next.Adopters);
    }

    [Fact]
    public void Markers_a_live_silo_adopted_are_left_to_it_also_by_itself_in_a_later_round()
    {
        var adoptions = Adopted(("dead-1", "live-1"));

        Assert.Empty(adoptions.Plan(Silos("dead-1"), Silos("live-1", "live-2"), "live-2").Adopt);
        Assert.Empty(adoptions.Plan(Silos("dead-1"), Silos("live-1", "live-2"), "live-1").Adopt);
    }

    [Fact]
    public void Markers_whose_adopter_is_gone_too_are_adopted_again_and_adoptions_with_nothing_left_are_dropped()
    {
        var adoptions = Adopted(("dead-1", "dead-2"), ("dead-3", "live-1"), ("shipped", "live-1"));

        var (adopt, next) = adoptions.Plan(Silos("dead-1", "dead-2", "dead-3"), Silos("live-1", "live-2"), "live-2");

        Assert.Equal(["dead-1", "dead-2"], adopt);
        Assert.Equal(Adopted(("dead-1", "live-2"), ("dead-2", "live-2"), ("dead-3", "live-1")).Adopters, next.Adopters);
    }
}
