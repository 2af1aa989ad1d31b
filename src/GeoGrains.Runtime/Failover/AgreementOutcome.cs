namespace GeoGrains.Runtime.Failover;

/// <summary>
/// How a change through <see cref="OwnershipAgreement"/> ended: <see cref="Chosen"/> holds the configuration a majority
/// accepted (the change's, or the current one when the change had nothing to do); otherwise the change was not made,
/// and <see cref="RetryAfter"/> says when trying again may succeed.
/// </summary>
internal sealed record AgreementOutcome(RegionConfiguration? Chosen, TimeSpan RetryAfter, string Reason)
{
    public static AgreementOutcome Decided(RegionConfiguration chosen) => new(chosen, TimeSpan.Zero, string.Empty);

    public static AgreementOutcome NotDecided(TimeSpan retryAfter, string reason) => new(null, retryAfter, reason);
}
