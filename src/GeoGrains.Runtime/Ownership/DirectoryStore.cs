using GeoGrains.Runtime.Storage;
using Orleans.Serialization;

namespace GeoGrains.Runtime.Ownership;

/// <summary>The region's ownership directory in the region's table.</summary>
internal sealed class DirectoryStore(IRegionTable table, Serializer serializer)
{
    private const string Partition = "d";
    private const string TableRow = "table";

    public async Task<OwnershipTable> ReadAsync() =>
        await table.ReadAsync(Partition, TableRow) is { } row ? serializer.Deserialize<OwnershipTable>(row.Data)! : OwnershipTable.Empty;

    public async Task WriteAsync(OwnershipTable ownership) =>
        await table.WriteAsync([TableWrite.Upsert(Partition, TableRow, serializer.SerializeToArray(ownership))]);
}
