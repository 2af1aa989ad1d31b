namespace GeoGrains.Runtime.Replication;

/// <summary>What a <see cref="ChangeShipper"/> needs from its silo to tell its target a safe time.</summary>
/// <param name="Silo">This silo, as outbox markers name it.</param>
/// <param name="Floor">
/// The latest time before every commit of this silo not yet queued to ship (<see cref="CommitsInProgress.Floor"/>).
/// Read before the shipper's own queue: a commit leaves the first only after joining the second.
/// </param>
/// <param name="ActiveSilos">The silos of this region its membership does not list as dead.</param>
internal sealed record SafeTimeSource(string Silo, Func<HybridTimestamp> Floor, Func<string[]> ActiveSilos);
