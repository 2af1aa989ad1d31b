using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Simulation;

/// <summary>
/// The properties checked after every event; a violation throws <see cref="SimulationViolationException"/>.
/// (1) At most one region acknowledges writes of a grain per epoch, and no two regions hold a confirmed lease and own
/// the same grain at the same simulated time (a planned move's new owner counts once it may write: see MayWrite). (2) Every write acknowledged as Sync/SemiSync is in every stored version
/// of its grain that is newer than it, in every region (so in what the next owner promotes and continues from, and in
/// the final state); a write that failed definitely is in none. The one loss the promise allows: SemiSync(k) keeps k + 1
/// copies (the owner and k eligible regions), so it survives k regions being taken over, not k + 1: a version is
/// excused only when a promotion of an epoch after the write's, up to the version's, read none of the regions that held
/// the write, all of them taken over after a failure (not drained), and those were at least as many as the durability
/// asked for. (3) A grain's stored (epoch, version) never goes back
/// in any region, nor a region's learned configuration generation, nor the epoch of a grain's override in a region's
/// directory (rehomes and takeover fences). (4) (<see cref="CheckConverged"/>) After the final heal every region holds
/// the same version of every grain, and the same override of it in its directory. (5) No healthy region is taken over:
/// once an unplanned takeover of a region under epoch e is chosen (an observer learned it), no live silo of that region
/// holds its lease while it routes by a configuration in which the region still owns its grains under an epoch before e.
/// Equivalently, a region that at every instant kept a live silo whose lease a majority confirmed is never taken over.
/// The lease is what the promise stands on, not reachability: a region that is reachable but whose lease requests are
/// lost or late for a lease period, while its observer moves, may be taken over, and then (5) holds because its silos
/// hold no lease. (6) No two overrides of a grain, in any regions' directories at any time, give the same epoch to
/// different owners (one owner per grain and epoch across rehomes, not only among acknowledged writes).
/// </summary>
internal sealed class Invariants(SimWorld world)
{
    private readonly Dictionary<(GrainId Grain, long Epoch), RegionId> _acknowledgedBy = [];
    private readonly Dictionary<GrainId, List<(GeoRecord Record, string Value, RegionId Region, IReadOnlySet<RegionId> Holders, int Required)>> _durable = [];
    private readonly Dictionary<GrainId, List<(long Epoch, IReadOnlySet<RegionId> Read, IReadOnlySet<RegionId> Failed)>> _promotedFrom = [];
    private readonly HashSet<string> _failed = [];
    private readonly Dictionary<(int Region, int Grain), Seen> _seen = [];
    private readonly Dictionary<int, long> _generations = [];
    private readonly Dictionary<int, long> _takenOver = [];
    private readonly List<SimSilo> _leased = [];
    private readonly Dictionary<(int Region, int Grain), (string ETag, GrainOwnership Ownership)> _overrides = [];
    private readonly Dictionary<(int Grain, long Epoch), RegionId> _overrideOwners = [];
    private readonly HashSet<(int Region, int Grain, long Epoch)> _promotedBy = [];
    private readonly Dictionary<int, (SimDirectory? Directory, long Changes)> _directoryAt = [];
    private bool _dirty;
    private (string Partition, string Row)[]? _keys;
    private string[]? _directoryKeys;

    /// <summary>
    /// <paramref name="region"/> acknowledged <paramref name="value"/>; <paramref name="holders"/> are the regions that held
    /// it then and that a promotion would read (the owner, and the counted regions that were not away when it shipped),
    /// <paramref name="required"/> the other regions its durability asked for.
    /// </summary>
    public void Acknowledged(SimRegion region, SimGrain grain, GeoRecord record, string value, SimDurability durability, IReadOnlySet<RegionId> holders, int required)
    {
        if (_acknowledgedBy.TryGetValue((grain.Id, record.Epoch), out var other) && other != region.Id)
        {
            world.Violation($"(1) {region.Id} acknowledged {value} of {grain} under epoch {record.Epoch:x}, under which {other} acknowledged writes too");
        }

        _acknowledgedBy[(grain.Id, record.Epoch)] = region.Id;
        world.Sim.Trace($"{region.Id}: {grain} acknowledged {value} ({record.Epoch:x}.{record.Version}, {durability})");
        if (durability.IsDurable)
        {
            if (!_durable.TryGetValue(grain.Id, out var list))
            {
                _durable[grain.Id] = list = [];
            }

            list.Add((record, value, region.Id, holders, required));
            _dirty = true;
        }
    }

    /// <summary>
    /// A new owner promoted <paramref name="grain"/> under <paramref name="epoch"/> from the copies of <paramref name="read"/>;
    /// <paramref name="failed"/> are the regions taken over after a failure (unplanned away) by the configuration it promoted under.
    /// </summary>
    public void Promoted(SimRegion region, SimGrain grain, long epoch, IReadOnlySet<RegionId> read, IReadOnlySet<RegionId> failed)
    {
        _promotedBy.Add((region.Index, grain.Index, epoch));
        if (!_promotedFrom.TryGetValue(grain.Id, out var list))
        {
            _promotedFrom[grain.Id] = list = [];
        }

        list.Add((epoch, read, failed));
    }

    // The loss SemiSync(k) allows: a promotion of an epoch after the write's, up to the version's, read none of the
    // regions that held it, all of which were taken over after a failure (a drained region is alive: reading none of
    // those is a loss), and they were at least as many as the durability asked for. A version descending from that
    // promotion lacks the write too.
    private bool Excused(SimGrain grain, GeoRecord record, GeoRecord seen, IReadOnlySet<RegionId> holders, int required) =>
        holders.Count >= required + 1 && _promotedFrom.TryGetValue(grain.Id, out var promotions)
        && promotions.Any(p => p.Epoch > record.Epoch && p.Epoch <= seen.Epoch && !holders.Overlaps(p.Read) && holders.IsSubsetOf(p.Failed));

    public void Failed(string value)
    {
        _failed.Add(value);
        _dirty = true;
    }

    public void Check()
    {
        foreach (var region in world.Regions)
        {
            if (region.Node is { } node)
            {
                var learned = node.Health.Learned;
                var generation = learned.Generation;
                if (generation < _generations.GetValueOrDefault(region.Index))
                {
                    world.Violation($"(3) {region.Id}'s configuration went back from generation {_generations[region.Index]} to {generation}");
                }

                if (!_generations.TryGetValue(region.Index, out var known) || known != generation)
                {
                    ChosenTakeovers(learned);
                }

                _generations[region.Index] = generation;
            }

            // The directory's rows change only with its revision: read them again only then.
            var directory = region.Node?.Directory;
            var readOverrides = directory is not null && _directoryAt.GetValueOrDefault(region.Index) != (directory, directory.Changes);
            if (readOverrides)
            {
                _directoryAt[region.Index] = (directory!, directory!.Changes);
            }

            foreach (var grain in world.Grains)
            {
                ReadRecord(region, grain);
                if (readOverrides)
                {
                    ReadOverride(region, grain);
                }
            }
        }

        CheckLeases();
        if (_dirty)
        {
            _dirty = false;
            CheckContainment();
        }
    }

    /// <summary>Whether every region holds the same version of every grain now, and the same override of it.</summary>
    public bool Converged() => world.Grains.All(grain =>
    {
        var records = world.Regions.Select(r => ReadRecord(r, grain)).ToList();
        var overrides = world.Regions.Select(r => ReadOverride(r, grain)).ToList();
        return records.All(r => r?.Epoch == records[0]?.Epoch && r?.Version == records[0]?.Version && r?.Revision == records[0]?.Revision)
            && overrides.All(o => o == overrides[0]);
    });

    /// <summary>The newest override of <paramref name="grain"/> in any region's directory, else its home partition's owner.</summary>
    public GrainOwnership DirectoryOwner(SimGrain grain) =>
        world.Regions.Select(r => ReadOverride(r, grain)).Where(o => o is not null).MaxBy(o => o!.Epoch)
        ?? new GrainOwnership(grain.Home, Runtime.Ownership.OwnershipTable.InitialEpoch);

    /// <summary>(4): every region holds the same version of every grain.</summary>
    public void CheckConverged(string when)
    {
        foreach (var grain in world.Grains)
        {
            var versions = world.Regions.Select(r => (r.Id, Record: ReadRecord(r, grain))).ToList();
            var first = versions[0].Record;
            if (versions.Any(v => v.Record?.Epoch != first?.Epoch || v.Record?.Version != first?.Version || v.Record?.Revision != first?.Revision))
            {
                world.Violation($"(4) {when}: the regions hold different versions of {grain}: {string.Join(", ", versions.Select(v => $"{v.Id} {(v.Record is null ? "none" : $"{v.Record.Epoch:x}.{v.Record.Version}")}"))}");
            }

            var overrides = world.Regions.Select(r => (r.Id, Override: ReadOverride(r, grain))).ToList();
            if (overrides.Any(o => o.Override != overrides[0].Override))
            {
                world.Violation($"(4) {when}: the regions' directories hold different overrides of {grain}: {string.Join(", ", overrides.Select(o => $"{o.Id} {(o.Override is null ? "none" : $"{o.Override.Owner}@{o.Override.Epoch:x}")}"))}");
            }
        }
    }

    // (5): the takeovers chosen so far, as the newest unplanned takeover epoch of each region.
    private void ChosenTakeovers(RegionConfiguration learned)
    {
        foreach (var tenure in learned.Tenures.Values.Where(t => t is { State: TenureState.Away, Planned: false }))
        {
            var index = world[tenure.Region].Index;
            if (tenure.Epoch > _takenOver.GetValueOrDefault(index))
            {
                _takenOver[index] = tenure.Epoch;
            }
        }
    }

    // (1), second half, and (5): a silo writes a grain while it holds a confirmed lease and owns it by the configuration it
    // routes by; silos of one region may, silos of two may not.
    private void CheckLeases()
    {
        // Each silo's lease once per check: ValidUntil is the costliest part of a check.
        _leased.Clear();
        var regions = 0;
        foreach (var region in world.Regions)
        {
            if (region.Node is not { } node)
            {
                continue;
            }

            var any = false;
            foreach (var silo in node.Silos)
            {
                if (silo.IsUp && silo.Failover.HoldsLease)
                {
                    _leased.Add(silo);
                    any = true;
                    // A silo that knows its region away (the takeover, or a drain since) writes none of its grains.
                    if (_takenOver.TryGetValue(region.Index, out var epoch) && silo.Failover.Configuration is var routed && !routed.IsAway(region.Id)
                        && (routed.Tenures.TryGetValue(region.Id, out var tenure) ? tenure.Epoch : 0) < epoch)
                    {
                        world.Violation($"(5) {silo} holds its lease by {silo.Failover.Configuration}, though the regions chose to take {region.Id} over under epoch {epoch:x}: a region whose silo held a lease was taken over");
                    }
                }
            }

            regions += any ? 1 : 0;
        }

        if (regions < 2)
        {
            return;
        }

        foreach (var grain in world.Grains)
        {
            SimSilo? holder = null;
            foreach (var silo in _leased)
            {
                var region = silo.Writer.Region;
                if (silo.Writer.OwnerOf(grain) is var owner && owner.Owner == region.Id && MayWrite(silo, region, grain, owner))
                {
                    if (holder is { } other && other.Writer.Region != region)
                    {
                        world.Violation($"(1) {other} and {silo} both hold a confirmed lease and own {grain}");
                    }

                    holder = silo;
                }
            }
        }
    }

    // Whether a silo that owns the grain and holds its lease may write it now. A hand-off holds the grain's write lock
    // at the old owner until its silo has learned the move, so the old owner writes nothing meanwhile. After a takeover
    // or a planned move (drain, restore, failback) the new owner writes only once its promotion has fenced the
    // survivors' directories, and a survivor holding a move (or a later takeover's fence) that resolves elsewhere
    // re-routes it: until it has promoted, it counts only when no survivor holds one. After a planned move the previous
    // owner is alive and may still hold a lease confirmed before the move: the new owner writes nothing under the move's
    // epoch before it has known the move for LeasePeriod + MaxClockOffset (TakeoverPromotion's wait, by when every such
    // lease has lapsed), so it counts from then, or from its region's first record under that epoch.
    private bool MayWrite(SimSilo silo, SimRegion region, SimGrain grain, GrainOwnership owner)
    {
        if (silo.HandOff.IsHandingOff(grain))
        {
            return false;
        }

        var learned = silo.Failover.Configuration;
        if (learned.TenureAt(owner.Epoch) is not { } tenure)
        {
            return true;
        }

        if (_promotedBy.Contains((region.Index, grain.Index, owner.Epoch))
            || (_seen.TryGetValue((region.Index, grain.Index), out var written) && written.Record.Epoch >= owner.Epoch))
        {
            return true;
        }

        foreach (var other in world.Regions)
        {
            var survivor = other == region || !learned.IsAway(other.Id) || (tenure is { Planned: true, State: TenureState.Away } && other.Id == tenure.Region);
            if (survivor && _overrides.TryGetValue((other.Index, grain.Index), out var held) && learned.Resolve(held.Ownership, grain.Partition) != owner)
            {
                return false;
            }
        }

        return !tenure.Planned || silo.Failover.KnownFor(learned.Generation) >= world.Options.LeasePeriod + world.Options.MaxClockOffset;
    }

    private void CheckContainment()
    {
        foreach (var ((regionIndex, grainIndex), seen) in _seen)
        {
            var grain = world.Grains[grainIndex];
            if (_durable.TryGetValue(grain.Id, out var acknowledged))
            {
                foreach (var (record, value, owner, holders, required) in acknowledged)
                {
                    if (seen.Record.IsNewerThan(record) && !seen.Values.Contains(value)
                        && !Excused(grain, record, seen.Record, holders, required))
                    {
                        world.Violation($"(2) {world.Regions[regionIndex].Id} stores {grain} at {seen.Record.Epoch:x}.{seen.Record.Version} (committed by {seen.Record.CommittedIn}), " +
                            $"which lacks {value}, acknowledged by {owner} at {record.Epoch:x}.{record.Version}: an acknowledged write is not in the grain's lineage. " +
                            $"Operation: {world.History.Find(value)}");
                    }
                }
            }

            foreach (var value in _failed)
            {
                if (seen.Values.Contains(value))
                {
                    world.Violation($"(2) {world.Regions[regionIndex].Id} stores {grain} with {value}, whose write failed definitely: {world.History.Find(value)}");
                }
            }
        }
    }

    private GeoRecord? ReadRecord(SimRegion region, SimGrain grain)
    {
        // GeoStore's layout: the record of a grain is row "r|" + escaped id of its partition.
        _keys ??= [.. world.Grains.Select(g => (region.Records.PartitionOf(g.Id), "r|" + TableKeys.Escape(g.Id.ToString())))];
        var row = region.Account.Read(_keys[grain.Index].Partition, _keys[grain.Index].Row);
        if (row is null)
        {
            return null;
        }

        if (_seen.TryGetValue((region.Index, grain.Index), out var seen) && seen.ETag == row.ETag)
        {
            return seen.Record;
        }

        var record = world.Serializer.Deserialize<GeoRecord>(row.Data)!;
        if (seen is not null && seen.Record.IsNewerThan(record))
        {
            world.Violation($"(3) {region.Id}'s stored {grain} went back from {seen.Record.Epoch:x}.{seen.Record.Version} to {record.Epoch:x}.{record.Version}");
        }

        _seen[(region.Index, grain.Index)] = new Seen(row.ETag, record, SimState.Values(record.State));
        _dirty = true;
        return record;
    }

    // (3) and (5) for the directories: the grain's override row in the region's directory (DirectoryStore's layout:
    // partition "d", row "g|" + escaped grain id).
    private GrainOwnership? ReadOverride(SimRegion region, SimGrain grain)
    {
        _directoryKeys ??= [.. world.Grains.Select(g => "g|" + TableKeys.Escape(g.Id.ToString()))];
        var row = region.Account.Read("d", _directoryKeys[grain.Index]);
        if (row is null)
        {
            return null;
        }

        if (_overrides.TryGetValue((region.Index, grain.Index), out var seen) && seen.ETag == row.ETag)
        {
            return seen.Ownership;
        }

        var ownership = world.Serializer.Deserialize<GrainOwnership>(row.Data)!;
        if (seen.Ownership is { } before && ownership.Epoch < before.Epoch)
        {
            world.Violation($"(3) {region.Id}'s directory override of {grain} went back from {before.Owner}@{before.Epoch:x} to {ownership.Owner}@{ownership.Epoch:x}");
        }

        if (_overrideOwners.TryGetValue((grain.Index, ownership.Epoch), out var other) && other != ownership.Owner)
        {
            world.Violation($"(5) {region.Id}'s directory gives {grain} to {ownership.Owner} under epoch {ownership.Epoch:x}, which another directory gave to {other}");
        }

        _overrideOwners[(grain.Index, ownership.Epoch)] = ownership.Owner;
        _overrides[(region.Index, grain.Index)] = (row.ETag, ownership);
        world.Sim.Trace($"{region.Id}: directory holds {grain} at {ownership.Owner}@{ownership.Epoch:x}");
        return ownership;
    }

    private sealed record Seen(string ETag, GeoRecord Record, HashSet<string> Values);
}
