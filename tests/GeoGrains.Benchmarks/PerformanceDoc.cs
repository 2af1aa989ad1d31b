namespace GeoGrains.Benchmarks;

/// <summary>Replaces one generated section of docs/PERFORMANCE.md, leaving the hand-written text around it.</summary>
internal static class PerformanceDoc
{
    public static async Task UpdateSectionAsync(string path, string section, string content)
    {
        var begin = $"<!-- benchmark:{section}:begin -->";
        var end = $"<!-- benchmark:{section}:end -->";
        var text = File.Exists(path) ? await File.ReadAllTextAsync(path) : string.Empty;
        var block = $"{begin}\n{content.TrimEnd()}\n{end}";
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        var stop = text.IndexOf(end, StringComparison.Ordinal);
        text = start >= 0 && stop > start
            ? text[..start] + block + text[(stop + end.Length)..]
            : text.TrimEnd() + "\n\n" + block + "\n";
        await File.WriteAllTextAsync(path, text);
    }
}
