using System.Text.Json;
using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.GeoGrains;

/// <summary>
/// A warm replica serves every version the replication receiver stores in its region, whatever interleaves with the
/// hand-off: the activation's own first read, or a storage failure that makes the sender deliver the batch again. A
/// version stored without reaching the activation leaves it serving the one before for as long as it lives, unless the
/// grain is written again. eu-west's storage has a gate the tests arm to set up each interleaving.
/// </summary>
public sealed class ReplicaDeliveryTests(ReplicaDeliveryFixture fixture) : IClassFixture<ReplicaDeliveryFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private ReplicaDeliveryFixture.ActivationReadGate Gate => fixture.Gate;

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task A_replica_that_activates_while_a_newer_version_is_applied_serves_the_newer_version()
    {
        // A Sync write is acknowledged once eu-west has applied it and handed it to its activations (none yet).
        var (owner, replica) = await WrittenOnceAsync("race");

        // The first read activates the replica; its read of the record takes version 1 and is held there.
        Gate.Hold(replica.GetGrainId());
        var activating = replica.Get();
        Assert.Equal(1, (await Gate.Taken.WaitAsync(Timeout)).Version);

        // Version 2 is applied in eu-west and handed to the activations it lists while the activation's read is in flight.
        using (GeoContext.Write(Durability.Sync))
        {
            Assert.Equal(2, (await owner.Rename("v2")).Version);
        }

        Gate.Release();
        await activating.WaitAsync(Timeout);

        // Nothing more is written: the replica must serve version 2 from what it was handed, not version 1 for its lifetime.
        await ServesVersion2Async(replica);
    }

    [Fact]
    public async Task A_version_stored_by_a_batch_that_failed_on_another_partition_reaches_the_warm_replica()
    {
        var (_, replica) = await WrittenOnceAsync("warm");
        Assert.Equal(1, (await replica.Get()).Version);

        // A batch with version 2 of the warm grain and a first version of another grain, in another partition of eu-west.
        var store = Geo[EuWest].Store;
        var warm = replica.GetGrainId();
        var other = Enumerable.Range(0, 1_000)
            .Select(i => Geo.Client(EuWest).GetGrain<IProfileGrain>($"us-east/other-{i}-{Guid.NewGuid():N}").GetGrainId())
            .First(g => store.PartitionOf(g) != store.PartitionOf(warm));
        var v1 = (await store.ReadAsync(warm))!.Record;
        GeoRecord Next(GeoRecord previous, string name) => previous with
        {
            Version = previous.Version + 1,
            CommittedAt = new HybridTimestamp(previous.CommittedAt.PhysicalMilliseconds + 1, 0),
            State = JsonSerializer.SerializeToUtf8Bytes(new Profile(name, [])),
        };
        var codec = new ReplicationBatchCodec(Geo[EuWest].Cluster!.Client.ServiceProvider.GetRequiredService<Orleans.Serialization.Serializer>());
        var batch = codec.Encode(UsEast, 1, [new(warm, Next(v1, "v2")), new(other, Next(v1 with { Version = 0 }, "other"))], compress: true, out _);

        // eu-west stores version 2 but fails the other partition's write: the sender is told the batch failed and sends it again.
        var receiver = Geo.Client(EuWest).GetGrain<IReplicationReceiverGrain>(0);
        Gate.FailFirstWriteTo(store.PartitionOf(other));
        await Assert.ThrowsAnyAsync<Exception>(() => receiver.Apply(batch));
        Assert.Equal(2, (await store.ReadAsync(warm))!.Record.Version);
        Assert.Equal(new ReplicationAck(1, 1), await receiver.Apply(batch));

        // Nothing more is written: the replica must serve version 2, not version 1 for its lifetime.
        await ServesVersion2Async(replica);
    }

    // A fresh us-east grain written once ("v1", Sync), through us-east, and the same grain through eu-west.
    private async Task<(IProfileGrain Owner, IProfileGrain Replica)> WrittenOnceAsync(string name)
    {
        var key = $"us-east/{name}-{Guid.NewGuid():N}";
        var owner = Geo.Client(UsEast).GetGrain<IProfileGrain>(key);
        using (GeoContext.Write(Durability.Sync))
        {
            await owner.Rename("v1");
        }

        return (owner, Geo.Client(EuWest).GetGrain<IProfileGrain>(key));
    }

    private static async Task ServesVersion2Async(IProfileGrain replica)
    {
        var view = await Eventually.Succeeds(async () =>
        {
            var view = await replica.Get();
            return view.Version >= 2 ? view : throw new InvalidOperationException($"eu-west serves version {view.Version} ('{view.Name}')");
        }, Timeout, "eu-west's replica serves version 2");
        Assert.Equal((EuWest, 2L, "v2"), (view.ServedBy, view.Version, view.Name));
    }
}

/// <summary>us-east and eu-west, one silo each, no WAN delays; eu-west's storage has a gate the tests arm.</summary>
public sealed class ReplicaDeliveryFixture : IAsyncLifetime
{
    internal ActivationReadGate Gate { get; } = new();

    public GeoTestCluster Geo { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Geo = await new GeoTestClusterBuilder()
            .WithRegions(UsEast, EuWest)
            .WithWanEmulation(false)
            .ConfigureSilo((region, silo) =>
            {
                if (region == EuWest)
                {
                    // Registered after AddGeoGrains' own: the last registration is the one resolved.
                    silo.Services.AddSingleton<IRegionTable>(sp => new GatedRegionTable(
                        RegionTableFactory.Create(sp), Gate, sp.GetRequiredService<IGrainContextAccessor>(), sp.GetRequiredService<Orleans.Serialization.Serializer>()));
                }
            })
            .StartAsync();

    public async Task DisposeAsync()
    {
        Gate.Release();
        await Geo.DisposeAsync();
    }

    /// <summary>
    /// Holds the first read of a grain's record made by that grain's own activation, after the row is taken; fails the
    /// first write to a partition.
    /// </summary>
    internal sealed class ActivationReadGate
    {
        private string? _failing;

        private TaskCompletionSource<GeoRecord> _taken = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private GrainId _grain;
        private int _armed;
        private int _held;

        /// <summary>The version the held read took.</summary>
        public Task<GeoRecord> Taken => _taken.Task;

        /// <summary>Holds the next read of <paramref name="grain"/>'s record by its own activation, until <see cref="Release"/>.</summary>
        public void Hold(GrainId grain)
        {
            _taken = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _held, 0);
            _grain = grain;
            Volatile.Write(ref _armed, 1);
        }

        public void Release() => _released.TrySetResult();

        public void FailFirstWriteTo(string partition) => Volatile.Write(ref _failing, partition);

        public void Write(IRegionTable table, IReadOnlyList<TableWrite> writes)
        {
            if (writes.Count > 0 && Volatile.Read(ref _failing) is { } partition && writes[0].PartitionKey == partition
                && Interlocked.CompareExchange(ref _failing, null, partition) == partition)
            {
                throw new RegionStorageException(table.Region, table.Description, $"the test fails this write to partition {partition}.");
            }
        }

        public async Task PassAsync(TableRow? row, string rowKey, GrainId? reader, Orleans.Serialization.Serializer serializer)
        {
            // Only the activation's own read: the receiver applying the grain's versions reads the same row in its own context.
            if (row is null || !rowKey.StartsWith("r|", StringComparison.Ordinal) || Volatile.Read(ref _armed) == 0
                || reader != _grain || Interlocked.Exchange(ref _held, 1) != 0)
            {
                return;
            }

            _taken.TrySetResult(serializer.Deserialize<GeoRecord>(row.Data)!);
            await _released.Task;
        }
    }

    private sealed class GatedRegionTable(
        IRegionTable inner, ActivationReadGate gate, IGrainContextAccessor context, Orleans.Serialization.Serializer serializer) : IRegionTable
    {
        public RegionId Region => inner.Region;

        public string Description => inner.Description;

        public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

        public async Task<TableRow?> ReadAsync(string partitionKey, string rowKey, CancellationToken cancellationToken = default)
        {
            var reader = context.GrainContext?.GrainId;
            var row = await inner.ReadAsync(partitionKey, rowKey, cancellationToken);
            await gate.PassAsync(row, rowKey, reader, serializer);
            return row;
        }

        public IAsyncEnumerable<TableRow> QueryAsync(string partitionKey, string fromRowKey, string toRowKey, CancellationToken cancellationToken = default) =>
            inner.QueryAsync(partitionKey, fromRowKey, toRowKey, cancellationToken);

        public Task<string?[]> WriteAsync(IReadOnlyList<TableWrite> writes, CancellationToken cancellationToken = default)
        {
            gate.Write(inner, writes);
            return inner.WriteAsync(writes, cancellationToken);
        }
    }
}
