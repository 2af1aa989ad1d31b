namespace GeoGrains.Simulation;

/// <summary>Jepsen's completion types of an operation.</summary>
internal enum OutcomeType
{
    /// <summary>Invoked and not completed yet.</summary>
    Pending,

    /// <summary>Done, as asked.</summary>
    Ok,

    /// <summary>Certainly did not happen.</summary>
    Fail,

    /// <summary>May or may not have happened.</summary>
    Info,
}
