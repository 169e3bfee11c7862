namespace GrpcMesh.Testing;

/// <summary>The repository checkout the tests run from (the folder holding GrpcMesh.sln above the test assembly).</summary>
public static class RepoPaths
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

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);
}
