namespace GeoGrains.Runtime.Storage;

/// <summary>
/// A conditional table write did not hold (the row exists, is missing, or has another ETag); nothing of its batch was
/// written. Internal: the layers above turn it into what it means for them (a fenced writer, a lost race).
/// </summary>
internal sealed class TableConditionFailedException(RegionId region, TableWrite failed, string reason)
    : Exception($"Region '{region}': {failed.Kind} of row '{failed.PartitionKey}/{failed.RowKey}' did not hold: {reason}.")
{
    /// <summary>The write whose condition failed.</summary>
    public TableWrite Failed { get; } = failed;
}
