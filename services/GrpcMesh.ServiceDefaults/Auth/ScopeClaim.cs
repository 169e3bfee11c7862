namespace GrpcMesh.ServiceDefaults.Auth;

/// <summary>
/// Tokens carry their scopes space-separated in this claim. Each service declares its own scopes and which RPC needs
/// which (<see cref="MethodScopes"/>).
/// </summary>
public static class ScopeClaim
{
    public const string Type = "scope";
}
