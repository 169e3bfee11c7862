using GrpcMesh.Testing;

namespace GrpcMesh.ServiceDefaults.Tests.Deploy;

internal static class RepoFiles
{
    public static string PathOf(params string[] parts) => RepoPaths.PathOf(parts);
}
