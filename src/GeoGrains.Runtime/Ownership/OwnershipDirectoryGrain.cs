using GeoGrains.Runtime.Replication;

namespace GeoGrains.Runtime.Ownership;

/// <summary>The region's directory, kept in the region's storage account so that it outlives the silos.</summary>
internal sealed class OwnershipDirectoryGrain(GeoStore store) : Grain, IOwnershipDirectoryGrain
{
    private OwnershipTable _table = OwnershipTable.Empty;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _table = store.ReadDirectory();
        return Task.CompletedTask;
    }

    public Task<OwnershipTable> GetTable() => Task.FromResult(_table);

    public Task<OwnershipTable> Merge(OwnershipTable changes)
    {
        var merged = _table.Merge(changes);
        if (!ReferenceEquals(merged, _table))
        {
            store.WriteDirectory(merged);
            _table = merged;
        }

        return Task.FromResult(_table);
    }
}
