namespace GrpcMesh.Clients.Balancing;

/// <summary>Values of the <c>state</c> tag of <c>grpcmesh.client.endpoint.state</c>.</summary>
public static class EndpointStates
{
    /// <summary>Connected and in rotation.</summary>
    public const string Ready = "ready";

    /// <summary>Out of rotation: outlier ejection or failed health check.</summary>
    public const string Ejected = "ejected";

    /// <summary>Not connected (connecting, or its connection failed and is being retried).</summary>
    public const string Unavailable = "unavailable";

    internal static readonly IReadOnlyList<string> All = [Ready, Ejected, Unavailable];
}
