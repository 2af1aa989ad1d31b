using GeoGrains.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace GeoGrains.IntegrationTests.Idempotency;

/// <summary>A record stored before the dedup section existed still reads, as one with no keyed writes.</summary>
public sealed class LegacyRecordTests
{
    [Fact]
    public void A_record_without_the_dedup_section_reads_as_one_with_no_keyed_writes()
    {
        var serializer = new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(LegacyRecordTests).Assembly).AddAssembly(typeof(GeoRecord).Assembly))
            .BuildServiceProvider().GetRequiredService<Serializer>();
        var old = new LegacyGeoRecord(4, 2, new HybridTimestamp(1_700_000_000_000, 3), "eu-west", "{\"n\":1}"u8.ToArray(), 1, 3);

        var read = serializer.Deserialize<GeoRecord>(serializer.SerializeToArray(old))!;

        Assert.Equal((4L, 2L, 1L, 3L, "eu-west"), (read.Version, read.Epoch, read.BaseEpoch, read.BaseVersion, read.CommittedIn.Value));
        Assert.Equal(old.CommittedAt, read.CommittedAt);
        Assert.Null(read.Applied);
        Assert.Equal(0, read.Revision);
        Assert.Null(IdempotencyLog.Find(read.Applied, "any", read.CommittedAt, TimeSpan.FromMinutes(5)));
    }
}

/// <summary>The shape <see cref="GeoRecord"/> was stored in before keyed writes: the same field ids, without 7 and 8.</summary>
[GenerateSerializer, Immutable]
internal sealed record LegacyGeoRecord(
    [property: Id(0)] long Version,
    [property: Id(1)] long Epoch,
    [property: Id(2)] HybridTimestamp CommittedAt,
    [property: Id(3)] RegionId CommittedIn,
    [property: Id(4)] byte[] State,
    [property: Id(5)] long BaseEpoch = 0,
    [property: Id(6)] long BaseVersion = 0);
