using System.Collections.Immutable;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// An acceptor's answer to a prepare: whether it promised to ignore lower ballots, the highest ballot it promised, and
/// the value it last accepted (with its ballot). <see cref="SafeTimes"/> says how fresh the answering region's copies
/// of each other region's data are (its replicas' safe times), which the proposer uses to pick successors.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record PrepareReply(
    [property: Id(0)] RegionId Acceptor,
    [property: Id(1)] bool Promised,
    [property: Id(2)] Ballot Highest,
    [property: Id(3)] Ballot Accepted,
    [property: Id(4)] RegionConfiguration Value,
    [property: Id(5)] ImmutableDictionary<RegionId, HybridTimestamp> SafeTimes);

/// <summary>
/// An acceptor's answer to an accept. A refusal names why: a higher ballot was promised (<see cref="Highest"/>), or the
/// value takes grains from a region whose lease this acceptor confirmed too recently (retry after <see cref="RetryAfter"/>).
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record AcceptReply(
    [property: Id(0)] RegionId Acceptor,
    [property: Id(1)] bool Accepted,
    [property: Id(2)] Ballot Highest,
    [property: Id(3)] TimeSpan RetryAfter,
    [property: Id(4)] string Reason);

/// <summary>What an acceptor keeps durably: its promise, the value it accepted last, and the newest value it learned was chosen.</summary>
[GenerateSerializer, Immutable]
internal sealed record AcceptorState(
    [property: Id(0)] Ballot Promised,
    [property: Id(1)] Ballot Accepted,
    [property: Id(2)] RegionConfiguration Value,
    [property: Id(3)] RegionConfiguration Learned)
{
    public static readonly AcceptorState Initial = new(Ballot.None, Ballot.None, RegionConfiguration.Initial, RegionConfiguration.Initial);
}
