namespace GrpcMesh.ServiceDefaults.Auth;

/// <summary>The scopes tokens carry in their space-separated <c>scope</c> claim.</summary>
public static class Scopes
{
    public const string UsersRead = "users.read";
    public const string UsersWrite = "users.write";
    public const string OrdersRead = "orders.read";
    public const string OrdersWrite = "orders.write";

    public const string ClaimType = "scope";
}
