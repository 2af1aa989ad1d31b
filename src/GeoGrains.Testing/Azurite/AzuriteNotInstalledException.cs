namespace GeoGrains.Testing.Azurite;

/// <summary>
/// Azurite, or the Node.js that runs it, is not installed where <see cref="AzuriteProcess"/> looks. The message says
/// what is missing and how to install it (usually: run <c>npm ci</c> in the repository root).
/// </summary>
public sealed class AzuriteNotInstalledException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AzuriteNotInstalledException(string message) : base(message)
    {
    }
}
