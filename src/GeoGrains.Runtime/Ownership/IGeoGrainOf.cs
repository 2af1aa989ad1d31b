namespace GeoGrains.Runtime.Ownership;

/// <summary>
/// Marks <c>GeoGrain&lt;TState&gt;</c>, so that grain registration finds a class's state type and its grain base without
/// naming the base class, which depends on every stage of the runtime.
/// </summary>
/// <typeparam name="TState">The grain's state.</typeparam>
internal interface IGeoGrainOf<TState>
    where TState : class;
