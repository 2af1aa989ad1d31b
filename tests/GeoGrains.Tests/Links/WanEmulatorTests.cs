using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Topology;

namespace GeoGrains.Tests.Links;

public sealed class WanEmulatorTests
{
    private readonly WanEmulator _network = new(GeoTopology.Default);

    [Fact]
    public void Delays_each_message_by_half_the_round_trip()
    {
        var fate = _network.Send("us-east", "apac-east");

        Assert.True(fate.IsDelivered);
        Assert.Equal(TimeSpan.FromMilliseconds(100), fate.Delay);
    }

    [Fact]
    public void Adds_no_delay_when_delays_are_off_but_still_applies_partitions()
    {
        _network.EmulateDelays = false;
        Assert.Equal(TimeSpan.Zero, _network.Send("us-east", "eu-west").Delay);

        _network.Partition("us-east", "eu-west");
        Assert.False(_network.Send("us-east", "eu-west").IsDelivered);
    }

    [Fact]
    public void Jitter_adds_between_zero_and_the_configured_amount()
    {
        _network.Jitter = TimeSpan.FromMilliseconds(20);
        var delays = Enumerable.Range(0, 200).Select(_ => _network.Send("us-east", "eu-west").Delay).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(70)));
        Assert.True(delays.Distinct().Count() > 1);
    }

    [Fact]
    public void Partition_cuts_both_directions_and_only_that_pair()
    {
        _network.Partition("us-east", "eu-west");

        Assert.False(_network.Send("us-east", "eu-west").IsDelivered);
        Assert.False(_network.Send("eu-west", "us-east").IsDelivered);
        Assert.True(_network.Send("us-east", "apac-east").IsDelivered);
        Assert.Equal("the link is partitioned", _network.Send("eu-west", "us-east").DropReason);
    }

    [Fact]
    public void Cut_is_one_directional()
    {
        _network.Cut("apac-east", "eu-west");

        Assert.False(_network.Send("apac-east", "eu-west").IsDelivered);
        Assert.True(_network.Send("eu-west", "apac-east").IsDelivered);
    }

    [Fact]
    public void Isolate_cuts_every_link_of_the_region_and_heal_restores_them()
    {
        _network.Isolate("apac-east");

        Assert.Equal(4, _network.CutLinks.Count);
        Assert.False(_network.Send("us-east", "apac-east").IsDelivered);
        Assert.False(_network.Send("apac-east", "eu-west").IsDelivered);
        Assert.True(_network.Send("us-east", "eu-west").IsDelivered);

        _network.Heal();
        Assert.Empty(_network.CutLinks);
        Assert.True(_network.Send("apac-east", "eu-west").IsDelivered);
    }

    [Fact]
    public void Heal_of_one_pair_leaves_other_partitions()
    {
        _network.Partition("us-east", "eu-west");
        _network.Partition("us-east", "apac-east");

        _network.Heal("eu-west", "us-east");

        Assert.True(_network.Send("us-east", "eu-west").IsDelivered);
        Assert.False(_network.Send("apac-east", "us-east").IsDelivered);
    }

    [Fact]
    public void Total_loss_drops_every_message_and_zero_loss_none()
    {
        _network.SetLoss("us-east", "eu-west", 1);
        Assert.All(Enumerable.Range(0, 50), _ => Assert.False(_network.Send("us-east", "eu-west").IsDelivered));
        Assert.True(_network.Send("eu-west", "us-east").IsDelivered);

        _network.SetLoss("us-east", "eu-west", 0);
        Assert.All(Enumerable.Range(0, 50), _ => Assert.True(_network.Send("us-east", "eu-west").IsDelivered));
    }

    [Fact]
    public void Partial_loss_drops_some_messages()
    {
        _network.SetLoss("us-east", "eu-west", 0.5);
        var delivered = Enumerable.Range(0, 1000).Count(_ => _network.Send("us-east", "eu-west").IsDelivered);

        // Binomial(1000, 0.5): outside [350, 650] has probability below 1e-20.
        Assert.InRange(delivered, 350, 650);
    }

    [Fact]
    public void Dropping_one_kind_of_call_leaves_the_rest_of_the_link_working()
    {
        _network.Drop<IDisposable>("eu-west", "us-east");

        Assert.False(_network.Send("eu-west", "us-east", typeof(IDisposable)).IsDelivered);
        Assert.True(_network.Send("eu-west", "us-east", typeof(IAsyncDisposable)).IsDelivered);
        Assert.True(_network.Send("eu-west", "us-east").IsDelivered);
        Assert.True(_network.Send("us-east", "eu-west", typeof(IDisposable)).IsDelivered);

        _network.Heal();
        Assert.True(_network.Send("eu-west", "us-east", typeof(IDisposable)).IsDelivered);
    }

    [Fact]
    public void Bad_input_is_refused_with_typed_exceptions()
    {
        Assert.Throws<UnknownRegionException>(() => _network.Partition("us-east", "mars-north"));
        Assert.Throws<UnknownRegionException>(() => _network.Isolate("mars-north"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _network.SetLoss("us-east", "eu-west", 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => _network.Jitter = TimeSpan.FromMilliseconds(-1));
        Assert.Empty(_network.CutLinks);
    }

    [Fact]
    public void Changes_raise_the_changed_event()
    {
        var changes = 0;
        _network.Changed += () => changes++;

        _network.Partition("us-east", "eu-west");
        _network.Heal();

        Assert.Equal(2, changes);
    }
}
