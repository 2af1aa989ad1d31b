using Orleans.Concurrency;
using Orleans.Runtime;

namespace GeoGrains.IntegrationTests.Grains;

/// <summary>A note kept by a geo grain; one interface per grain class below, each with its own write durability.</summary>
public interface INoteGrain : IGrainWithStringKey
{
    [ReadOnly]
    Task<string> Read();

    Task<WriteReceipt> Write(string text);
}

public interface ISyncNoteGrain : INoteGrain;

public interface ISemiSyncNoteGrain : INoteGrain;

/// <summary>Asks for more regions than the three-region topology has besides the owner: must be refused.</summary>
public interface IOverreachingNoteGrain : INoteGrain;

public sealed record Note(string Text)
{
    public Note() : this(string.Empty)
    {
    }
}

[GeoGrain(Replication = ReplicationMode.Sync)]
public sealed class SyncNoteGrain(ILocalSiloDetails silo) : GeoGrain<Note>, ISyncNoteGrain
{
    public Task<string> Read() => Task.FromResult(State.Text);

    public async Task<WriteReceipt> Write(string text)
    {
        await Update(n => n with { Text = text });
        return new WriteReceipt(Region, silo.ClusterId, Version);
    }
}

[GeoGrain(Replication = ReplicationMode.SemiSync, SemiSyncRegions = 1)]
public sealed class SemiSyncNoteGrain(ILocalSiloDetails silo) : GeoGrain<Note>, ISemiSyncNoteGrain
{
    public Task<string> Read() => Task.FromResult(State.Text);

    public async Task<WriteReceipt> Write(string text)
    {
        await Update(n => n with { Text = text });
        return new WriteReceipt(Region, silo.ClusterId, Version);
    }
}

[GeoGrain(Replication = ReplicationMode.SemiSync, SemiSyncRegions = 3)]
public sealed class OverreachingNoteGrain(ILocalSiloDetails silo) : GeoGrain<Note>, IOverreachingNoteGrain
{
    public Task<string> Read() => Task.FromResult(State.Text);

    public async Task<WriteReceipt> Write(string text)
    {
        await Update(n => n with { Text = text });
        return new WriteReceipt(Region, silo.ClusterId, Version);
    }
}
