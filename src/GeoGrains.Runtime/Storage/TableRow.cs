namespace GeoGrains.Runtime.Storage;

/// <summary>A stored row of an <see cref="IRegionTable"/>: its keys, bytes and the ETag of this version.</summary>
internal sealed record TableRow(string PartitionKey, string RowKey, byte[] Data, string ETag);
