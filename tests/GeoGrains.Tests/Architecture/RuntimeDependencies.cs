using System.Reflection;
using System.Text;
using ArchUnitNET.Domain.Dependencies;
using ArchUnitNET.Loader;
using ArchType = ArchUnitNET.Domain.IType;

namespace GeoGrains.Tests.Architecture;

/// <summary>The runtime's folders and the type edges between them, read from its IL with ArchUnitNET.</summary>
internal sealed class RuntimeDependencies(Dictionary<(string From, string To), SortedSet<string>> folderEdges, SortedSet<string>? writeLockEntrants = null)
{
    /// <summary>The lock every turn on a geo grain's activation holds.</summary>
    public const string WriteLockType = "GeoGrains.Runtime.Writes.GrainWriteLock";

    private const string RuntimeNamespace = "GeoGrains.Runtime";

    /// <summary>Folder to folder, with the type edges (<c>From -> To</c>) behind each.</summary>
    public Dictionary<(string From, string To), SortedSet<string>> FolderEdges { get; } = folderEdges;

    /// <summary>The types that enter <see cref="WriteLockType"/>: those that take the lock.</summary>
    public SortedSet<string> WriteLockEntrants { get; } = writeLockEntrants ?? [];

    public static RuntimeDependencies Of(Assembly runtime)
    {
        var architecture = new ArchLoader().LoadAssemblies(runtime).Build();
        // Method generic parameters show up as pseudo types; count only types the assembly declares.
        var declared = runtime.GetTypes().Select(t => Outermost(t).FullName!.Split('`')[0]).ToHashSet(StringComparer.Ordinal);
        var edges = new Dictionary<(string, string), SortedSet<string>>();
        var entrants = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in architecture.Types)
        {
            if (type.Assembly?.FullName != runtime.FullName || FolderOf(type) is not { } from || !declared.Contains(OuterName(type))) continue;
            foreach (var dependency in type.Dependencies)
            {
                var target = dependency.Target;
                if (dependency is MethodCallDependency call && target.FullName == WriteLockType && call.TargetMember.Name.StartsWith("EnterAsync", StringComparison.Ordinal)
                    && OuterName(type) != WriteLockType)
                {
                    entrants.Add(OuterName(type));
                }

                if (target.Assembly?.FullName != runtime.FullName || FolderOf(target) is not { } to || to == from) continue;
                if (!declared.Contains(OuterName(target))) continue;
                if (!edges.TryGetValue((from, to), out var set)) edges[(from, to)] = set = new SortedSet<string>(StringComparer.Ordinal);
                set.Add($"{Short(OuterName(type))} -> {Short(OuterName(target))}");
            }
        }
        return new RuntimeDependencies(edges, entrants);
    }

    /// <summary>The sets of folders that reach each other (strongly connected components of more than one folder).</summary>
    public List<List<string>> Cycles()
    {
        var nodes = FolderEdges.Keys.SelectMany(k => new[] { k.From, k.To }).Distinct().Order(StringComparer.Ordinal).ToList();
        var next = nodes.ToDictionary(n => n, n => FolderEdges.Keys.Where(k => k.From == n).Select(k => k.To).Order(StringComparer.Ordinal).ToList());
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var result = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            foreach (var w in next[v])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (stack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); component.Add(x); } while (x != v);
            if (component.Count > 1) result.Add([.. component.Order(StringComparer.Ordinal)]);
        }
        foreach (var n in nodes) if (!index.ContainsKey(n)) Visit(n);
        return result;
    }

    /// <summary>Each cycle with the type edges between its folders, for a failure message that says what to cut.</summary>
    public string Describe(List<List<string>> cycles)
    {
        var text = new StringBuilder();
        foreach (var cycle in cycles)
        {
            text.AppendLine($"runtime folders that depend on each other: {string.Join(", ", cycle)}");
            foreach (var ((from, to), types) in FolderEdges.Where(e => cycle.Contains(e.Key.From) && cycle.Contains(e.Key.To)).OrderBy(e => e.Key.From + ">" + e.Key.To, StringComparer.Ordinal))
                text.AppendLine($"  {from} -> {to}: {string.Join("; ", types)}");
        }
        return text.ToString();
    }

    /// <summary>A runtime type's folder: the namespace segment after GeoGrains.Runtime; null for generated code.</summary>
    private static string? FolderOf(ArchType type)
    {
        var ns = NamespaceOf(type);
        if (ns.StartsWith("OrleansCodeGen", StringComparison.Ordinal)) return null; // Orleans' codecs mirror the source's edges
        if (ns.StartsWith(RuntimeNamespace + ".", StringComparison.Ordinal)) return ns[(RuntimeNamespace.Length + 1)..].Split('.')[0];
        return ns switch
        {
            "GeoGrains.Configuration" => "Configuration",
            "Orleans.Hosting" => "Hosting", // the silo builder extensions live in Orleans' namespace, as Orleans' own do
            "GeoGrains" or RuntimeNamespace => "GeoGrain", // the grain base class users derive from
            _ => "?" + ns,
        };
    }

    private static string NamespaceOf(ArchType type)
    {
        if (type.Namespace?.FullName is { Length: > 0 } ns) return ns;
        var name = OuterName(type);
        var dot = name.LastIndexOf('.');
        return dot >= 0 ? name[..dot] : "";
    }

    /// <summary>The outermost declared type's full name, so that lambdas, state machines and nested types count for it.</summary>
    private static string OuterName(ArchType type)
    {
        var name = type.FullName;
        var cut = name.IndexOfAny(['+', '/']);
        if (cut >= 0) name = name[..cut];
        var tick = name.IndexOf('`');
        return tick >= 0 ? name[..tick] : name;
    }

    private static string Short(string fullName) => fullName[(fullName.LastIndexOf('.') + 1)..];

    private static System.Type Outermost(System.Type type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type;
    }
}
