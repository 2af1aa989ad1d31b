using System.Text;
using GeoGrains.Crdts;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;

namespace GeoGrains.Tests.Replication;

/// <summary>Deltas or whole states on the wire to one region.</summary>
public sealed class DeltaChoiceTests : IDisposable
{
    private static readonly GrainId Tags = GrainId.Create("tags", "post-1");
    private static readonly GrainId Other = GrainId.Create("tags", "post-2");

    private readonly ReplicationMetrics _metrics = new();
    private readonly ShipmentQueue _queue = new(maxBatchSize: 10);
    private readonly DeltaChoice _choice;

    public DeltaChoiceTests()
    {
        _choice = new DeltaChoice("us-east", "eu-west", (change, _) => change with { DeltaBase = new VersionVector([new Dot("us-east", 0)]) },
            _queue, _metrics, NullLogger.Instance);
    }

    private static GeoRecord Version(long v) => new(v, 1, new HybridTimestamp(v, 0), "us-east", Encoding.UTF8.GetBytes("{}"));

    private static bool[] AsDeltas(IReadOnlyList<ReplicatedChange> wire) => [.. wire.Select(c => c.DeltaBase is not null)];

    [Fact]
    public void A_grain_whose_delta_the_target_could_not_join_goes_again_whole_and_ships_whole_until_a_version_of_it_is_acknowledged()
    {
        _queue.Enqueue(Tags, Version(1));
        _queue.Enqueue(Other, Version(1));
        var sent = _queue.TakeBatch();
        Assert.Equal([true, true], AsDeltas(_choice.OnTheWire(sent)));

        var applied = _choice.ShipWhole(sent, [Tags]);

        Assert.Equal([Other], applied.Select(c => c.Grain));
        Assert.Equal(1, _metrics.Get("us-east", "eu-west").DeltasRefused);
        var again = _queue.TakeBatch();
        Assert.Equal([Tags], again.Select(c => c.Grain));
        Assert.Equal([false], AsDeltas(_choice.OnTheWire(again)));

        _choice.Acknowledged(again);
        Assert.Equal([true], AsDeltas(_choice.OnTheWire(again)));
    }

    [Fact]
    public void Without_deltas_every_change_ships_whole()
    {
        var choice = new DeltaChoice("us-east", "eu-west", deltas: null, _queue, _metrics, NullLogger.Instance);

        Assert.Equal([false], AsDeltas(choice.OnTheWire([new ReplicatedChange(Tags, Version(1))])));
    }

    public void Dispose() => _metrics.Dispose();
}
