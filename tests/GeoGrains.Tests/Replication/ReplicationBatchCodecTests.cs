using GeoGrains.Runtime.Storage;
using System.Text;
using GeoGrains.Runtime.Replication;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Serialization;

namespace GeoGrains.Tests.Replication;

public sealed class ReplicationBatchCodecTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
    private readonly ReplicationBatchCodec _codec = new(Serializer);

    private static ReplicatedChange Change(int i) => new(
        GrainId.Create("profile", $"eu-west/user-{i}"),
        new GeoRecord(i, 1, new HybridTimestamp(1_700_000_000_000 + i, 0), "eu-west",
            Encoding.UTF8.GetBytes($$"""{"name":"User {{i}}","email":"user{{i}}@example.com","country":"DE","visits":{{i}}}""")));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Round_trips_every_change(bool compress)
    {
        var changes = Enumerable.Range(1, 50).Select(Change).ToList();

        var batch = _codec.Encode("eu-west", 9, changes, compress, out var raw);
        var decoded = _codec.Decode(batch);

        Assert.Equal(9, batch.Sequence);
        Assert.Equal(compress, batch.Compressed);
        Assert.Equal(changes.Select(c => (c.Grain, c.Record.Version, c.Record.CommittedAt)), decoded.Select(c => (c.Grain, c.Record.Version, c.Record.CommittedAt)));
        Assert.Equal(changes.Select(c => Encoding.UTF8.GetString(c.Record.State)), decoded.Select(c => Encoding.UTF8.GetString(c.Record.State)));
        Assert.True(raw > 0);
    }

    [Fact]
    public void Compression_shrinks_a_batch_of_similar_json_states()
    {
        var changes = Enumerable.Range(1, 100).Select(Change).ToList();

        var batch = _codec.Encode("eu-west", 1, changes, compress: true, out var raw);

        Assert.True(batch.Payload.Length < raw / 3, $"{batch.Payload.Length} compressed bytes of {raw}");
    }

    [Fact]
    public void A_batch_whose_count_does_not_match_its_payload_is_refused()
    {
        var batch = _codec.Encode("eu-west", 1, [Change(1), Change(2)], compress: false, out _) with { Count = 3 };

        Assert.Contains("holds 2 changes, not the 3 it declares", Assert.Throws<InvalidDataException>(() => _codec.Decode(batch)).Message);
    }
}
