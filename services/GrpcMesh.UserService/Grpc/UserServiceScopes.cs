using GrpcMesh.ServiceDefaults.Auth;

namespace GrpcMesh.UserService.Grpc;

/// <summary>UserService's scopes and the one each of its RPCs requires (the token's space-separated <c>scope</c> claim).</summary>
public static class UserServiceScopes
{
    public const string Read = "users.read";
    public const string Write = "users.write";

    public static MethodScopes Map { get; } = new(User.V1.UserService.Descriptor, new Dictionary<string, string>
    {
        ["CreateUser"] = Write,
        ["GetUser"] = Read,
        ["ListUsers"] = Read,
        ["UpdateUser"] = Write,
        ["DeleteUser"] = Write,
        ["ReserveCredit"] = Write,
        ["ReleaseCredit"] = Write,
    });
}
