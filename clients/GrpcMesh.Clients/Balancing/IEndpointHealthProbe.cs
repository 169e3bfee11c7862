namespace GrpcMesh.Clients.Balancing;

/// <summary>Asks one endpoint whether it is serving.</summary>
internal interface IEndpointHealthProbe : IDisposable
{
    /// <summary>True when <paramref name="endpoint"/> says it is serving (or has no health service to ask).</summary>
    Task<bool> IsServingAsync(string endpoint, CancellationToken cancellationToken);

    /// <summary>Releases what was kept for <paramref name="endpoint"/> (it left the endpoint set).</summary>
    void Forget(string endpoint);
}
