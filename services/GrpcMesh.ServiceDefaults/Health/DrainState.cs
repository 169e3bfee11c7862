namespace GrpcMesh.ServiceDefaults.Health;

/// <summary>
/// Whether the service has begun shutting down. Once set it stays set: health reports NOT_SERVING and
/// background work can use it to stop taking new jobs.
/// </summary>
public sealed class DrainState
{
    private volatile bool _draining;

    public bool IsDraining => _draining;

    internal void BeginDrain() => _draining = true;
}
