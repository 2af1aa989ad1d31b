using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GeoGrains.Tests.Histories;

/// <summary>
/// Histories as JSON lines: one camelCase object per operation and line, status as "ok" / "fail" / "unknown", every
/// field present (null where it has no value; only "detail" may be left out), so that a failing history can be kept,
/// diffed and fed back to the checker.
/// </summary>
public static class HistoryJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter<OperationStatus>(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        // Every field but detail must be present (null where it has no value), so a truncated line is an error, not a read of null.
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>One operation as one line of JSON (no line break).</summary>
    public static string ToJson(HistoryOperation operation) => JsonSerializer.Serialize(operation, Options);

    /// <summary>The operations, one JSON object per line, each line ending with '\n'.</summary>
    public static string ToJsonLines(IEnumerable<HistoryOperation> operations)
    {
        var text = new StringBuilder();
        foreach (var operation in operations)
        {
            text.Append(ToJson(operation)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Parses JSON lines (blank lines are skipped); a bad line throws <see cref="InvalidDataException"/> naming its number.</summary>
    public static IReadOnlyList<HistoryOperation> FromJsonLines(string text)
    {
        var operations = new List<HistoryOperation>();
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            HistoryOperation? operation;
            try
            {
                operation = JsonSerializer.Deserialize<HistoryOperation>(line, Options);
            }
            catch (JsonException exception)
            {
                throw new InvalidDataException($"History line {number} is not an operation: {exception.Message}", exception);
            }

            if (operation is null)
            {
                throw new InvalidDataException($"History line {number} is 'null', not an operation.");
            }

            try
            {
                operation.Validate();
            }
            catch (InvalidDataException exception)
            {
                throw new InvalidDataException($"History line {number}: {exception.Message}", exception);
            }

            operations.Add(operation);
        }

        return operations;
    }

    /// <summary>Writes the operations to <paramref name="path"/> as JSON lines, creating its directory.</summary>
    public static void WriteFile(string path, IEnumerable<HistoryOperation> operations)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, ToJsonLines(operations));
    }

    /// <summary>Reads a JSON lines history written by <see cref="WriteFile"/> (or by hand).</summary>
    public static IReadOnlyList<HistoryOperation> ReadFile(string path) => FromJsonLines(File.ReadAllText(path));
}
