namespace GeoGrains.Client.Routing;

/// <summary>One call as the region-aware client routes it.</summary>
/// <param name="Name">The interface and method, e.g. <c>IAccountGrain.Deposit</c>, for error messages.</param>
/// <param name="Grain">The grain's identity (interface and key), for learning where it is owned.</param>
/// <param name="IsReadOnly">Whether the method is <c>[ReadOnly]</c>: a read, which may be retried anywhere.</param>
/// <param name="Interface">The grain interface, for learning which interfaces are geo grains (whose owners honour idempotency keys).</param>
internal sealed record GeoCall(string Name, string Grain, bool IsReadOnly, Type? Interface = null);
