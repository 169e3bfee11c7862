namespace GrpcMesh.Interop.Tests.Support;

/// <summary>Where the repository and the services' build outputs are, seen from the test assembly.</summary>
internal static class Repo
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GrpcMesh.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"GrpcMesh.sln not found above {AppContext.BaseDirectory}");
    });

    public static string Root => RootPath.Value;

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
