using GrpcMesh.ServiceDefaults.Auth;

namespace GrpcMesh.OrderService.Grpc;

/// <summary>The scope each OrderService RPC requires (the token's space-separated <c>scope</c> claim).</summary>
public static class OrderServiceScopes
{
    public static MethodScopes Map { get; } = new(Order.V1.OrderService.Descriptor, new Dictionary<string, string>
    {
        ["CreateOrder"] = Scopes.OrdersWrite,
        ["GetOrder"] = Scopes.OrdersRead,
        ["ListOrders"] = Scopes.OrdersRead,
        ["CancelOrder"] = Scopes.OrdersWrite,
        ["WatchOrders"] = Scopes.OrdersRead,
    });

    /// <summary>What OrderService's own credential may do at UserService: read users, reserve and release credit.</summary>
    public static IReadOnlyList<string> UpstreamScopes { get; } = [Scopes.UsersRead, Scopes.UsersWrite];
}
