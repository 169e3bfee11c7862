using System.Reflection;

namespace GrpcMesh.Launcher;

/// <summary>
/// One service of the mesh: its project, where its build output is, and how to start it. <see cref="HttpAddress"/>: its
/// HTTP edge (JSON API, gRPC-Web), null when it has none.
/// </summary>
internal sealed record MeshService(string Name, string ProjectDirectory, Uri Address, Uri? HttpAddress, IReadOnlyDictionary<string, string> Environment)
{
    public static string Configuration => Metadata("GrpcMesh.Configuration");

    public string ProjectFile => Path.Combine(ProjectDirectory, $"GrpcMesh.{Name}.csproj");

    public string AssemblyPath => Path.Combine(ProjectDirectory, "bin", Configuration, "net10.0", $"GrpcMesh.{Name}.dll");

    /// <summary>host:port, as grpcurl takes it.</summary>
    public string Target => Address.Authority;

    public static string Metadata(string key) =>
        typeof(MeshService).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"assembly metadata {key} missing");
}
