namespace GeoGrains.Tests.Histories;

/// <summary>How an operation in a history ended.</summary>
public enum OperationStatus
{
    /// <summary>It happened, between its invoke and complete times, and returned its output.</summary>
    Ok,

    /// <summary>It definitely did not happen (e.g. refused before any effect); the checker drops it.</summary>
    Fail,

    /// <summary>Nobody knows (e.g. a timeout): it may have taken effect at any time after its invoke, or never.</summary>
    Unknown,
}
