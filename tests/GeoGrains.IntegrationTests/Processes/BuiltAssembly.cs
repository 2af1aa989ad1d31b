using System.Reflection;

namespace GeoGrains.IntegrationTests.Processes;

/// <summary>Finds an executable project's build output, in the configuration the tests were built in.</summary>
internal static class BuiltAssembly
{
    public static string DevCluster => Find("GeoGrains.DevCluster");

    public static string Silo => Find("GeoGrains.Silo");

    public static string SampleClient => Find("GeoGrains.SampleClient", "samples");

    private static string Find(string project, string folder = "silos")
    {
        var configuration = typeof(BuiltAssembly).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "GeoGrains.sln")))
        {
            root = root.Parent;
        }

        var path = Path.Combine(root!.FullName, folder, project, "bin", configuration, "net10.0", $"{project}.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build the solution first: {project} is not built.", path);
    }
}
