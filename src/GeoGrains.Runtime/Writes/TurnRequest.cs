namespace GeoGrains.Runtime.Writes;

/// <summary>What a call asks of its turn at the owner.</summary>
/// <param name="EpochHint">The epoch of the ownership the sending region routed by (0 for none): the owner catches up to it before it decides.</param>
/// <param name="Write">Whether the call may commit (a write), or is a strong read ordered with the writes.</param>
/// <param name="Durability">The durability a write asks for.</param>
/// <param name="Forwarded">Whether another region forwarded the call here (it waits for acknowledgements at most its forward timeout).</param>
/// <param name="IdempotencyKey">The key of a keyed (retryable) write, else <see langword="null"/>.</param>
internal readonly record struct TurnRequest(long EpochHint, bool Write, Durability Durability, bool Forwarded, string? IdempotencyKey);
