using GrpcMesh.ServiceDefaults.Auth;

namespace GrpcMesh.Bench.ReplicaServer;

/// <summary>The scopes UserService's RPCs require, as the real service declares them (reads users.read, the rest users.write).</summary>
public static class ReplicaScopes
{
    public static MethodScopes Map { get; } = new(
        GrpcMesh.User.V1.UserService.Descriptor,
        GrpcMesh.User.V1.UserService.Descriptor.Methods.ToDictionary(
            m => m.Name, m => m.Name is "GetUser" or "ListUsers" ? "users.read" : "users.write"));
}
