namespace GeoGrains.Simulation;

/// <summary>The history of every client operation of a run, in invocation order.</summary>
internal sealed class History
{
    private readonly List<HistoryOperation> _operations = [];

    public IReadOnlyList<HistoryOperation> Operations => _operations;

    public HistoryOperation Invoke(int process, SimGrain grain, string value, SimDurability durability, RegionId region, TimeSpan at)
    {
        var operation = new HistoryOperation(_operations.Count, process, grain, value, durability, region, at);
        _operations.Add(operation);
        return operation;
    }

    public int Count(OutcomeType type) => _operations.Count(o => o.Type == type);

    public HistoryOperation? Find(string value) => _operations.FirstOrDefault(o => o.Value == value);
}
