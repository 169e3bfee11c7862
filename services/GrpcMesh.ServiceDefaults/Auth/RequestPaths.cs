namespace GrpcMesh.ServiceDefaults.Auth;

/// <summary>RPCs that stay outside auth, rate limiting and load shedding.</summary>
internal static class RequestPaths
{
    private const string Health = "/grpc.health.v1.Health/";
    private const string Reflection = "/grpc.reflection.";

    /// <summary>Probes must answer even when the service is overloaded or the prober has no token.</summary>
    public static bool IsHealth(string methodPath) => methodPath.StartsWith(Health, StringComparison.Ordinal);

    /// <summary>Reflection is mapped only when <c>Reflection:Enabled</c>; then it is open like health.</summary>
    public static bool IsReflection(string methodPath) => methodPath.StartsWith(Reflection, StringComparison.Ordinal);
}
