using GeoGrains.Configuration;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Data.Tables;

namespace GeoGrains.Runtime.Storage;

/// <summary>
/// Turns a region's <see cref="RegionStorageOptions"/> into an Azure Table service client, refusing a configuration that
/// cannot work with <see cref="InvalidTopologyException"/> naming the region and the setting. Shared by GeoGrains' own
/// table and Orleans' grain storage, so both reach the account the same way and give up as quickly.
/// </summary>
internal static partial class AzureTableSettings
{
    public const string ConnectionStringSetting = "GeoGrains:Storage:ConnectionString";
    public const string ServiceUriSetting = "GeoGrains:Storage:ServiceUri";
    public const string CredentialSetting = "GeoGrains:Storage:Credential";
    public const string TableNameSetting = "GeoGrains:Storage:TableName";
    public const string GrainStateTableNameSetting = "GeoGrains:Storage:GrainStateTableName";

    /// <summary>How long one attempt may wait for an answer. Azure answers table requests in milliseconds.</summary>
    public static readonly TimeSpan NetworkTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Retries after the first attempt: enough to ride out a dropped connection, few enough that an outage surfaces in seconds.</summary>
    public const int MaxRetries = 2;

    /// <summary>
    /// The setting that says where the account is, for messages: the connection string when one is set, else the
    /// service URI.
    /// </summary>
    public static string LocationSetting(RegionStorageOptions options) =>
        string.IsNullOrWhiteSpace(options.ConnectionString) && options.ServiceUri is not null ? ServiceUriSetting : ConnectionStringSetting;

    /// <summary>
    /// Client options bounding how long an operation may take while the storage is down: at most
    /// <see cref="MaxRetries"/> + 1 attempts of <see cref="NetworkTimeout"/> each, with short pauses between them
    /// (a refused connection fails in well under a second), instead of the SDK's default of minutes.
    /// </summary>
    public static TableClientOptions ClientOptions()
    {
        var options = new TableClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = MaxRetries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        options.Retry.NetworkTimeout = NetworkTimeout;
        return options;
    }

    /// <summary>Checks everything that can be checked without a round trip.</summary>
    /// <exception cref="InvalidTopologyException">The configuration cannot work.</exception>
    public static void Validate(RegionStorageOptions options, RegionId region)
    {
        _ = CreateServiceClient(options, region);
        ValidateTableName(options.TableName, TableNameSetting, region);
        ValidateTableName(options.GrainStateTableName, GrainStateTableNameSetting, region);
        if (string.Equals(options.TableName, options.GrainStateTableName, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidTopologyException(
                $"region '{region}': {GrainStateTableNameSetting} '{options.GrainStateTableName}' must differ from {TableNameSetting}; Orleans' grain state and GeoGrains' rows need separate tables.");
        }
    }

    /// <summary>Creates the service client of the region's account.</summary>
    /// <exception cref="InvalidTopologyException">Neither or both of a connection string and a service URI are set, or the one set is malformed.</exception>
    public static TableServiceClient CreateServiceClient(RegionStorageOptions options, RegionId region)
    {
        var hasConnectionString = !string.IsNullOrWhiteSpace(options.ConnectionString);
        if (hasConnectionString && options.ServiceUri is not null)
        {
            throw new InvalidTopologyException(
                $"region '{region}': set either {ConnectionStringSetting} or {ServiceUriSetting} for provider AzureTable, not both.");
        }

        if (hasConnectionString)
        {
            try
            {
                return new TableServiceClient(options.ConnectionString, ClientOptions());
            }
            catch (Exception exception) when (exception is FormatException or ArgumentException or InvalidOperationException or UriFormatException)
            {
                // The parser's message may quote part of the string, which may hold the account key: name only its kind.
                throw new InvalidTopologyException(
                    $"region '{region}': {ConnectionStringSetting} is not a valid Azure Storage connection string ({exception.GetType().Name}); expected e.g. 'DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...' or 'UseDevelopmentStorage=true'.");
            }
        }

        if (options.ServiceUri is { } uri)
        {
            if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                throw new InvalidTopologyException($"region '{region}': {ServiceUriSetting} '{Redact(uri)}' must be an absolute http(s) URI of a Table service endpoint.");
            }

            if (options.Credential is not { } credential)
            {
                throw new InvalidTopologyException($"region '{region}': {ServiceUriSetting} is set but {CredentialSetting} is not; set the credential in code (e.g. a managed identity).");
            }

            return new TableServiceClient(uri, credential, ClientOptions());
        }

        throw new InvalidTopologyException(
            $"region '{region}': storage provider AzureTable needs {ConnectionStringSetting} (or {ServiceUriSetting} with a credential); neither is set.");
    }

    /// <summary>Checks an Azure table name: 3 to 63 letters or digits, starting with a letter, not the reserved 'tables'.</summary>
    /// <exception cref="InvalidTopologyException">The name is invalid.</exception>
    public static void ValidateTableName(string? name, string setting, RegionId region)
    {
        if (name is null || !TableName().IsMatch(name) || string.Equals(name, "tables", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidTopologyException(
                $"region '{region}': {setting} '{name}' is not a valid Azure table name (3-63 letters or digits, starting with a letter, not 'tables').");
        }
    }

    /// <summary>The account's endpoint for messages: scheme, host, port and path, never user info or a query string (which may hold a SAS).</summary>
    public static string Endpoint(TableServiceClient client) => Redact(client.Uri);

    private static string Redact(Uri uri) =>
        uri.IsAbsoluteUri ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/') : "(relative URI)";

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableName();
}
