namespace GeoGrains.Runtime.Failover;

/// <summary>How <see cref="OwnershipAgreement"/> reaches the regions' acceptors: the local one directly, the others through the links.</summary>
internal interface IAgreementPeers
{
    Task<PrepareReply> PrepareAsync(RegionId acceptor, Ballot ballot, CancellationToken cancellationToken);

    Task<AcceptReply> AcceptAsync(RegionId acceptor, Ballot ballot, RegionConfiguration value, CancellationToken cancellationToken);

    Task LearnAsync(RegionId learner, RegionConfiguration chosen, CancellationToken cancellationToken);
}
