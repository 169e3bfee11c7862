using GrpcMesh.ServiceDefaults.Auth;

namespace GrpcMesh.UserService.Grpc;

/// <summary>The scope each UserService RPC requires (the token's space-separated <c>scope</c> claim).</summary>
public static class UserServiceScopes
{
    public static MethodScopes Map { get; } = new(User.V1.UserService.Descriptor, new Dictionary<string, string>
    {
        ["CreateUser"] = Scopes.UsersWrite,
        ["GetUser"] = Scopes.UsersRead,
        ["ListUsers"] = Scopes.UsersRead,
        ["UpdateUser"] = Scopes.UsersWrite,
        ["DeleteUser"] = Scopes.UsersWrite,
        ["ReserveCredit"] = Scopes.UsersWrite,
        ["ReleaseCredit"] = Scopes.UsersWrite,
    });
}
