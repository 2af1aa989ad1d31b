namespace GeoGrains.Simulation;

/// <summary>What a run that broke no invariant did: enough to compare two replays of a seed.</summary>
internal sealed record SimulationResult(int Seed, long Steps, TimeSpan SimulatedTime, ulong TraceHash, long TraceLines, int Operations, int Ok, int Fail, int Info, string Tail);
