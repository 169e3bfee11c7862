namespace GrpcMesh.Clients;

/// <summary>Client names: the named-options / HttpClientFactory name and the configuration section <c>Clients:&lt;name&gt;</c>.</summary>
public static class GrpcMeshClientNames
{
    public const string UserService = "UserService";
    public const string OrderService = "OrderService";

    /// <summary>
    /// Service key of the <see cref="TimeProvider"/> the client pipeline uses (deadline arithmetic, backoff, budget
    /// refill, breaker windows). gRPC deadlines are wall-clock instants the transport checks against the real clock,
    /// so the pipeline uses <see cref="TimeProvider.System"/> even when the host registers another TimeProvider for
    /// its own logic; tests register a keyed fake under this key.
    /// </summary>
    public const string ClockServiceKey = "GrpcMesh.Clients.Clock";

    /// <summary>Configuration section of a client, e.g. <c>Clients:UserService</c>.</summary>
    public static string SectionOf(string name) => $"Clients:{name}";
}
