namespace GrpcMesh.Clients.Balancing;

/// <summary>Asks one endpoint whether it is serving: a grpc.health.v1 Watch stream, or one Check for servers without Watch.</summary>
internal interface IEndpointHealthProbe : IDisposable
{
    /// <summary>
    /// Watches <paramref name="endpoint"/>'s health, calling <paramref name="report"/> with true (SERVING) or false
    /// (anything else) for every status it pushes, until the stream ends or <paramref name="cancellationToken"/> fires.
    /// </summary>
    Task<HealthWatchEnd> WatchAsync(string endpoint, Action<bool> report, CancellationToken cancellationToken);

    /// <summary>True when <paramref name="endpoint"/> says it is serving (or has no health service to ask).</summary>
    Task<bool> IsServingAsync(string endpoint, CancellationToken cancellationToken);

    /// <summary>Releases what was kept for <paramref name="endpoint"/> (it left the endpoint set).</summary>
    void Forget(string endpoint);
}
