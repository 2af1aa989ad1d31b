using GeoGrains.Configuration;

namespace GeoGrains.Tests.Architecture;

/// <summary>
/// The runtime's folders form a pipeline, not a web: no two folders depend on each other (directly or through others),
/// the runtime does not reference the client, and only the write turn takes a grain's write lock. Each rule's failure
/// names the type edges that break it, so that the fix is where the message points.
/// </summary>
public sealed class RuntimeArchitectureTests
{
    private static readonly Lazy<RuntimeDependencies> Runtime = new(() => RuntimeDependencies.Of(typeof(GeoGrain<>).Assembly));

    [Fact]
    public void No_runtime_folders_depend_on_each_other()
    {
        var cycles = Runtime.Value.Cycles();
        Assert.True(cycles.Count == 0, Runtime.Value.Describe(cycles));
    }

    [Fact]
    public void The_runtime_does_not_reference_the_client()
    {
        var runtime = typeof(GeoGrain<>).Assembly;
        Assert.DoesNotContain("GeoGrains.Client", runtime.GetReferencedAssemblies().Select(a => a.Name));
        // Constants (such as header names) are copied into the IL of their users, so a reference can hide in source only.
        Assert.Empty(SourceFilesMentioning("GeoGrains.Client"));
    }

    [Fact]
    public void Only_the_write_turn_takes_a_grains_write_lock()
    {
        // Hand-offs, reconciliations, resolutions, writes and strong reads all enter through GeoWritePath, which checks
        // ownership and the lease under the lock; a second taker could commit or move the grain without those checks.
        Assert.Equal(["GeoGrains.Runtime.Writes.GeoWritePath"], Runtime.Value.WriteLockEntrants);
    }

    [Fact]
    public void Each_feature_takes_only_its_own_options()
    {
        // Sections come as IOptions<ReplicationOptions> and the like; only the region and topology check reads the whole.
        var whole = typeof(Microsoft.Extensions.Options.IOptions<GeoGrains.Configuration.GeoGrainsOptions>);
        var takers = typeof(GeoGrain<>).Assembly.GetTypes()
            .Where(t => t.GetConstructors(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
                .Any(c => c.GetParameters().Any(p => p.ParameterType == whole)))
            .Select(t => t.FullName)
            .ToList();
        Assert.Equal(["GeoGrains.Runtime.Topology.TopologyOptionsValidator"], takers);
    }

    [Fact]
    public void The_folder_check_sees_a_cycle()
    {
        // The rule above is only worth something if the graph it checks has the edges: a known one-way edge, reversed.
        var edges = Runtime.Value.FolderEdges;
        Assert.Contains(("Writes", "Storage"), edges.Keys);
        var withCycle = new RuntimeDependencies(new(edges) { [("Storage", "Writes")] = ["GeoStore -> GeoWritePath (added)"] });
        var cycle = Assert.Single(withCycle.Cycles());
        Assert.Contains("Storage", cycle);
        Assert.Contains("Writes", cycle);
    }

    private static IEnumerable<string> SourceFilesMentioning(string text, [System.Runtime.CompilerServices.CallerFilePath] string here = "")
    {
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "src", "GeoGrains.Runtime"));
        Assert.True(Directory.Exists(root), $"runtime sources not found at {root}");
        return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains(text, StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f));
    }
}
