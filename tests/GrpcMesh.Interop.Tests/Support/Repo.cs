using GrpcMesh.Testing;

namespace GrpcMesh.Interop.Tests.Support;

/// <summary>Where the repository and the services' build outputs are, seen from the test assembly.</summary>
internal static class Repo
{
    public static string Root => RepoPaths.Root;

    /// <summary>The test assembly's own configuration (bin/&lt;Configuration&gt;/&lt;tfm&gt;/), so Debug tests run Debug services.</summary>
    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    public static string TargetFramework => new DirectoryInfo(AppContext.BaseDirectory).Name;

    public static string PythonScripts => Path.Combine(AppContext.BaseDirectory, "python");
}
