using System.Reflection;

namespace GrpcMesh.Launcher;

/// <summary>One service of the mesh: where its build output is and how to start it.</summary>
internal sealed record MeshService(string Name, string ProjectDirectory, Uri Address, IReadOnlyDictionary<string, string> Environment)
{
    public string AssemblyPath
    {
        get
        {
            var configuration = Metadata("GrpcMesh.Configuration");
            return Path.Combine(ProjectDirectory, "bin", configuration, "net10.0", $"GrpcMesh.{Name}.dll");
        }
    }

    public static string Metadata(string key) =>
        typeof(MeshService).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"assembly metadata {key} missing");
}
