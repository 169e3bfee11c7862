using GrpcMesh.ServiceDefaults.Auth;

namespace GrpcMesh.OrderService.Grpc;

/// <summary>OrderService's scopes and the one each of its RPCs requires (the token's space-separated <c>scope</c> claim).</summary>
public static class OrderServiceScopes
{
    public const string Read = "orders.read";
    public const string Write = "orders.write";

    public static MethodScopes Map { get; } = new(Order.V1.OrderService.Descriptor, new Dictionary<string, string>
    {
        ["CreateOrder"] = Write,
        ["GetOrder"] = Read,
        ["ListOrders"] = Read,
        ["CancelOrder"] = Write,
        ["WatchOrders"] = Read,
    });

    /// <summary>
    /// What OrderService's own credential may do at UserService: read users, reserve and release credit. UserService
    /// declares these scopes; OrderService only asks for them by name, as any client of UserService does.
    /// </summary>
    public static IReadOnlyList<string> UpstreamScopes { get; } = ["users.read", "users.write"];
}
