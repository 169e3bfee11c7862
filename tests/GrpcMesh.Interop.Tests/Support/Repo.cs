using GrpcMesh.Testing;

namespace GrpcMesh.Interop.Tests.Support;

/// <summary>Where the repository and the services' build outputs are, seen from the test assembly.</summary>
internal static class Repo
{
    public static string Root => RepoPaths.Root;

    /// <summary>The test assembly's own configuration (bin/&lt;Configuration&gt;/&lt;tfm&gt;/), so Debug tests run Debug services.</summary>
    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    public static string TargetFramework => new DirectoryInfo(AppContext.BaseDirectory).Name;

    /// <summary>The built service, e.g. services/GrpcMesh.UserService/bin/Debug/net10.0/GrpcMesh.UserService.dll.</summary>
    public static string ServiceDll(string project)
    {
        var path = Path.Combine(Root, "services", project, "bin", Configuration, TargetFramework, project + ".dll");
        Assert.True(File.Exists(path), $"{path} does not exist; build the solution (dotnet build GrpcMesh.sln -c {Configuration}) first");
        return path;
    }

    public static string PythonScripts => Path.Combine(AppContext.BaseDirectory, "python");
}
