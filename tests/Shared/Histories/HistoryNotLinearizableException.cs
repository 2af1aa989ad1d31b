namespace GeoGrains.Tests.Histories;

/// <summary>A recorded history failed the linearizability check; the message explains why and where the artifacts are.</summary>
public sealed class HistoryNotLinearizableException : Exception
{
    internal HistoryNotLinearizableException(CheckResult result, string artifactDirectory)
        : base($"{result.Explain()}{Environment.NewLine}The failing histories are kept in {artifactDirectory}.")
    {
        Result = result;
        ArtifactDirectory = artifactDirectory;
    }

    /// <summary>The check's full result.</summary>
    public CheckResult Result { get; }

    /// <summary>Where <see cref="CheckResult.SaveArtifacts"/> wrote the failing keys' histories and explanations.</summary>
    public string ArtifactDirectory { get; }
}
