using GeoGrains.Runtime.Topology;

namespace GeoGrains.Runtime.Links;

/// <summary>
/// Emulates the wide-area network between regions: a one-way delay of half the configured round trip per
/// directed pair (plus optional jitter), message loss, and cut links (partitions), all switchable at run time.
/// Every inter-region message passes through it, so one instance shared by every silo is one network.
/// </summary>
/// <remarks>
/// Faults are per directed pair, as in Akka's TestConductor: <see cref="Cut"/> drops one direction,
/// <see cref="Partition"/> both. A message sent over a cut link, or lost, is never delivered; its caller
/// sees <see cref="RegionUnreachableException"/> when the link's call timeout runs out, as on a real network.
/// </remarks>
public sealed class WanEmulator
{
    private readonly object _lock = new();
    private readonly HashSet<(RegionId From, RegionId To)> _cut = [];
    private readonly Dictionary<(RegionId From, RegionId To), double> _loss = [];
    private readonly HashSet<(RegionId From, RegionId To, Type Interface)> _dropped = [];
    private TimeSpan _jitter;

    /// <summary>Creates an emulator for the regions of <paramref name="topology"/>.</summary>
    /// <param name="topology">The regions and the round trips to emulate.</param>
    /// <param name="emulateDelays">Whether to add the configured delays; faults apply either way.</param>
    public WanEmulator(GeoTopology topology, bool emulateDelays = true)
    {
        Topology = topology ?? throw new ArgumentNullException(nameof(topology));
        EmulateDelays = emulateDelays;
    }

    /// <summary>The topology whose round trips are emulated.</summary>
    public GeoTopology Topology { get; }

    /// <summary>Whether messages are delayed by the configured one-way delay. Partitions and loss apply either way.</summary>
    public bool EmulateDelays { get; set; }

    /// <summary>
    /// Extra random delay per message, uniformly distributed in [0, Jitter], added on top of the one-way delay.
    /// Jitter can reorder messages, as a real network can.
    /// </summary>
    public TimeSpan Jitter
    {
        get { lock (_lock) return _jitter; }
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            lock (_lock) _jitter = value;
        }
    }

    /// <summary>Raised after any fault setting changes.</summary>
    public event Action? Changed;

    /// <summary>Cuts both directions between two regions.</summary>
    /// <exception cref="UnknownRegionException">A region is not part of the topology.</exception>
    public void Partition(RegionId a, RegionId b)
    {
        Update(() =>
        {
            _cut.Add((a, b));
            _cut.Add((b, a));
        }, a, b);
    }

    /// <summary>Cuts one direction: messages from <paramref name="from"/> to <paramref name="to"/> are dropped.</summary>
    /// <exception cref="UnknownRegionException">A region is not part of the topology.</exception>
    public void Cut(RegionId from, RegionId to) => Update(() => _cut.Add((from, to)), from, to);

    /// <summary>Cuts every link to and from <paramref name="region"/>.</summary>
    /// <exception cref="UnknownRegionException">The region is not part of the topology.</exception>
    public void Isolate(RegionId region)
    {
        Update(() =>
        {
            foreach (var other in Topology.RegionIds.Where(r => r != region))
            {
                _cut.Add((region, other));
                _cut.Add((other, region));
            }
        }, region);
    }

    /// <summary>Restores both directions between two regions and stops losing messages between them.</summary>
    /// <exception cref="UnknownRegionException">A region is not part of the topology.</exception>
    public void Heal(RegionId a, RegionId b)
    {
        Update(() =>
        {
            _cut.Remove((a, b));
            _cut.Remove((b, a));
            _loss.Remove((a, b));
            _loss.Remove((b, a));
            _dropped.RemoveWhere(d => (d.From == a && d.To == b) || (d.From == b && d.To == a));
        }, a, b);
    }

    /// <summary>Restores every link and stops all message loss.</summary>
    public void Heal()
    {
        Update(() =>
        {
            _cut.Clear();
            _loss.Clear();
            _dropped.Clear();
        });
    }

    /// <summary>Drops each message from <paramref name="from"/> to <paramref name="to"/> with probability <paramref name="rate"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is not within [0, 1].</exception>
    /// <exception cref="UnknownRegionException">A region is not part of the topology.</exception>
    public void SetLoss(RegionId from, RegionId to, double rate)
    {
        if (!(rate >= 0 && rate <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "A loss rate is a probability between 0 and 1.");
        }

        Update(() =>
        {
            if (rate == 0)
            {
                _loss.Remove((from, to));
            }
            else
            {
                _loss[(from, to)] = rate;
            }
        }, from, to);
    }

    /// <summary>
    /// Drops every message of calls to <typeparamref name="TGrainInterface"/> (requests and replies) sent from
    /// <paramref name="from"/> to <paramref name="to"/>, and only those: a fault aimed at one protocol step, such as the
    /// reply to one call of a multi-step operation. <see cref="Heal()"/> ends it.
    /// </summary>
    /// <exception cref="UnknownRegionException">A region is not part of the topology.</exception>
    public void Drop<TGrainInterface>(RegionId from, RegionId to) => Update(() => _dropped.Add((from, to, typeof(TGrainInterface))), from, to);

    /// <summary>Whether messages from <paramref name="from"/> to <paramref name="to"/> are currently dropped.</summary>
    public bool IsCut(RegionId from, RegionId to)
    {
        lock (_lock) return _cut.Contains((from, to));
    }

    /// <summary>The directed links that are cut right now.</summary>
    public IReadOnlyCollection<(RegionId From, RegionId To)> CutLinks
    {
        get { lock (_lock) return [.. _cut]; }
    }

    /// <summary>Decides what happens to one message sent now from <paramref name="from"/> to <paramref name="to"/>.</summary>
    internal MessageFate Send(RegionId from, RegionId to, Type? grainInterface = null)
    {
        TimeSpan jitter;
        lock (_lock)
        {
            if (_cut.Contains((from, to)))
            {
                return MessageFate.Dropped("the link is partitioned");
            }

            if (grainInterface is not null && _dropped.Count > 0 && _dropped.Contains((from, to, grainInterface)))
            {
                return MessageFate.Dropped($"messages of {grainInterface.Name} are dropped");
            }

            if (_loss.TryGetValue((from, to), out var rate) && Random.Shared.NextDouble() < rate)
            {
                return MessageFate.Dropped("the message was lost");
            }

            jitter = _jitter;
        }

        if (!EmulateDelays)
        {
            return MessageFate.Delivered(TimeSpan.Zero);
        }

        var delay = Topology.OneWayDelay(from, to);
        if (jitter > TimeSpan.Zero)
        {
            delay += jitter * Random.Shared.NextDouble();
        }

        return MessageFate.Delivered(delay);
    }

    private void Update(Action change, params RegionId[] regions)
    {
        foreach (var region in regions)
        {
            _ = Topology[region];
        }

        lock (_lock)
        {
            change();
        }

        Changed?.Invoke();
    }
}

/// <summary>What the emulated network does with one message.</summary>
internal readonly record struct MessageFate(bool IsDelivered, TimeSpan Delay, string? DropReason)
{
    public static MessageFate Delivered(TimeSpan delay) => new(true, delay, null);

    public static MessageFate Dropped(string reason) => new(false, TimeSpan.Zero, reason);
}
