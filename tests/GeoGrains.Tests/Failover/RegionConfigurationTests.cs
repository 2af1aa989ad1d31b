using GeoGrains.Runtime.Topology;
using System.Collections.Immutable;
using GeoGrains.Runtime.Failover;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Failover;

/// <summary>Who owns a grain once the regions agreed on takeovers: the directory's answer, followed through the tenures.</summary>
public sealed class RegionConfigurationTests
{
    private static readonly DateTimeOffset At = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly HomePartition Bucket0 = new(UsEast, 0);

    [Fact]
    public void Without_tenures_the_directory_answer_stands()
    {
        var directory = new GrainOwnership(UsEast, 1);

        Assert.Equal(directory, RegionConfiguration.Initial.Resolve(directory, Bucket0));
        Assert.False(RegionConfiguration.Initial.IsAway(UsEast));
    }

    [Fact]
    public void A_grain_of_a_region_that_went_away_belongs_to_its_successor_under_the_takeover_epoch()
    {
        var configuration = RegionConfiguration.Initial.With(UsEast, TenureState.Away, [EuWest], At);

        var owner = configuration.Resolve(new GrainOwnership(UsEast, 7), Bucket0);

        Assert.Equal(new GrainOwnership(EuWest, RegionConfiguration.EpochOf(1)), owner);
        Assert.True(owner.Epoch > 7);
    }

    [Fact]
    public void A_directory_entry_at_or_after_the_takeover_epoch_is_not_moved()
    {
        // The successor rehomed the grain to us-east after the takeover (epoch above the tenure's): the entry is newer.
        var configuration = RegionConfiguration.Initial.With(UsEast, TenureState.Away, [EuWest], At);
        var takeover = RegionConfiguration.EpochOf(1);

        Assert.Equal(new GrainOwnership(UsEast, takeover + 1), configuration.Resolve(new GrainOwnership(UsEast, takeover + 1), Bucket0));
        Assert.Equal(new GrainOwnership(UsEast, takeover), configuration.Resolve(new GrainOwnership(UsEast, takeover), Bucket0));
    }

    [Fact]
    public void Grains_of_regions_that_did_not_go_away_stay_where_the_directory_says()
    {
        var configuration = RegionConfiguration.Initial.With(UsEast, TenureState.Away, [EuWest], At);

        Assert.Equal(new GrainOwnership(ApacEast, 3), configuration.Resolve(new GrainOwnership(ApacEast, 3), new HomePartition(ApacEast, 0)));
        Assert.Equal(new GrainOwnership(EuWest, 3), configuration.Resolve(new GrainOwnership(EuWest, 3), new HomePartition(EuWest, 0)));
    }

    [Fact]
    public void Takeovers_chain_a_grain_of_the_first_failed_region_ends_at_the_last_successor_under_the_second_epoch()
    {
        var configuration = RegionConfiguration.Initial
            .With(UsEast, TenureState.Away, [EuWest], At)
            .With(EuWest, TenureState.Away, [ApacEast], At.AddMinutes(1));

        Assert.Equal(new GrainOwnership(ApacEast, RegionConfiguration.EpochOf(2)), configuration.Resolve(new GrainOwnership(UsEast, 1), Bucket0));
        Assert.Equal(new GrainOwnership(ApacEast, RegionConfiguration.EpochOf(2)), configuration.Resolve(new GrainOwnership(EuWest, 1), new HomePartition(EuWest, 5)));

        // A grain eu-west wrote under the first takeover is fenced by the second as well.
        Assert.Equal(new GrainOwnership(ApacEast, RegionConfiguration.EpochOf(2)),
            configuration.Resolve(new GrainOwnership(EuWest, RegionConfiguration.EpochOf(1) + 4), Bucket0));
    }

    [Fact]
    public void A_return_gives_the_region_its_grains_back_at_a_higher_epoch()
    {
        var away = RegionConfiguration.Initial.With(UsEast, TenureState.Away, [EuWest], At);
        var back = away.With(UsEast, TenureState.Owning, [], At.AddMinutes(5));

        var owner = back.Resolve(new GrainOwnership(UsEast, 1), Bucket0);

        Assert.Equal(new GrainOwnership(UsEast, RegionConfiguration.EpochOf(2)), owner);
        Assert.True(owner.Epoch > away.Resolve(new GrainOwnership(UsEast, 1), Bucket0).Epoch);
        Assert.False(back.IsAway(UsEast));
    }

    [Fact]
    public void Successors_are_spread_over_the_failed_regions_partitions_by_bucket()
    {
        var configuration = RegionConfiguration.Initial.With(UsEast, TenureState.Away, [EuWest, ApacEast, ApacEast, EuWest], At);

        RegionId OwnerOf(int bucket) => configuration.Resolve(new GrainOwnership(UsEast, 1), new HomePartition(UsEast, bucket)).Owner;

        Assert.Equal([EuWest, ApacEast, ApacEast, EuWest, EuWest, ApacEast, ApacEast, EuWest], Enumerable.Range(0, 8).Select(OwnerOf));
    }

    [Fact]
    public void A_grain_rehomed_to_the_failed_region_goes_to_the_successor_of_its_home_bucket()
    {
        var configuration = RegionConfiguration.Initial.With(UsEast, TenureState.Away, [EuWest, ApacEast], At);

        Assert.Equal(ApacEast, configuration.Resolve(new GrainOwnership(UsEast, 5), new HomePartition(EuWest, 3)).Owner);
        Assert.Equal(EuWest, configuration.Resolve(new GrainOwnership(UsEast, 5), new HomePartition(ApacEast, 4)).Owner);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(2L)]
    [InlineData(1_000_000L)]
    public void Generation_and_epoch_round_trip_and_later_generations_outrank_any_epoch_counted_up_in_earlier_ones(long generation)
    {
        var epoch = RegionConfiguration.EpochOf(generation);

        Assert.Equal(generation, RegionConfiguration.GenerationOf(epoch));

        // Directory moves count epochs up from a generation's epoch, by up to 32 bits, and stay in that generation.
        var highestCounted = epoch + uint.MaxValue;
        Assert.Equal(generation, RegionConfiguration.GenerationOf(highestCounted));
        Assert.True(RegionConfiguration.EpochOf(generation + 1) > highestCounted);
        Assert.True(RegionConfiguration.EpochOf(generation + 1) > epoch);
    }

    [Fact]
    public void Each_change_is_one_generation_higher_and_its_tenure_carries_the_generations_epoch()
    {
        var first = RegionConfiguration.Initial.With(UsEast, TenureState.Away, [EuWest], At);
        var second = first.With(EuWest, TenureState.Away, [ApacEast], At);

        Assert.Equal(1, first.Generation);
        Assert.Equal(2, second.Generation);
        Assert.Equal(RegionConfiguration.EpochOf(2), second.Tenures[EuWest].Epoch);
        Assert.Equal(RegionConfiguration.EpochOf(1), second.Tenures[UsEast].Epoch);
        Assert.Empty(RegionConfiguration.Initial.Tenures);
    }

    [Fact]
    public void Only_the_epoch_of_an_away_tenure_is_a_takeover()
    {
        var configuration = RegionConfiguration.Initial
            .With(UsEast, TenureState.Away, [EuWest], At)
            .With(ApacEast, TenureState.Away, [EuWest], At)
            .With(ApacEast, TenureState.Owning, [], At);

        Assert.True(configuration.IsTakeover(RegionConfiguration.EpochOf(1)));
        Assert.False(configuration.IsTakeover(RegionConfiguration.EpochOf(3))); // apac-east's return
        Assert.False(configuration.IsTakeover(RegionConfiguration.EpochOf(1) + 1)); // a directory move counted up after it
        Assert.False(configuration.IsTakeover(1));
        Assert.True(configuration.IsAway(UsEast));
        Assert.False(configuration.IsAway(ApacEast));
        Assert.False(configuration.IsAway(EuWest));
        Assert.Equal(ApacEast, configuration.TenureAt(RegionConfiguration.EpochOf(3))?.Region);
        Assert.Null(configuration.TenureAt(RegionConfiguration.EpochOf(2))); // replaced by the return
    }

    [Fact]
    public void The_configuration_survives_the_wire()
    {
        var configuration = RegionConfiguration.Initial
            .With(UsEast, TenureState.Away, [EuWest, ApacEast], At)
            .With(EuWest, TenureState.Owning, ImmutableArray<RegionId>.Empty, At);

        var copy = FailoverTestSerializer.Instance.Deserialize<RegionConfiguration>(FailoverTestSerializer.Instance.SerializeToArray(configuration))!;

        Assert.Equal(configuration.Generation, copy.Generation);
        Assert.Equal(configuration.ToString(), copy.ToString());
        Assert.Equal(new GrainOwnership(ApacEast, RegionConfiguration.EpochOf(1)), copy.Resolve(new GrainOwnership(UsEast, 1), new HomePartition(UsEast, 1)));
    }
}
