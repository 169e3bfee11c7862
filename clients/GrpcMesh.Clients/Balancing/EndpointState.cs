using Grpc.Core;

namespace GrpcMesh.Clients.Balancing;

/// <summary>
/// What the client knows about one endpoint of a balanced target. The picker reads <see cref="IsAdmitted"/> lock-free on
/// every call; changes happen under the <see cref="EndpointTable"/>'s lock.
/// </summary>
internal sealed class EndpointState(string endpoint)
{
    private long _ejectedUntilTicks;
    private int _healthEjected;
    private int _consecutiveFailures;
    private int _connectivity = (int)ConnectivityState.Idle;

    /// <summary><c>host:port</c>.</summary>
    public string Endpoint { get; } = endpoint;

    /// <summary>End of the current (or last) outlier ejection, UTC ticks; 0 when never ejected.</summary>
    public long EjectedUntilTicks => Volatile.Read(ref _ejectedUntilTicks);

    /// <summary>Out of rotation because its health check failed.</summary>
    public bool IsHealthEjected => Volatile.Read(ref _healthEjected) == 1;

    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    /// <summary>Connectivity of its subchannel (last reported).</summary>
    public ConnectivityState Connectivity => (ConnectivityState)Volatile.Read(ref _connectivity);

    /// <summary>Ejections in a row that set the length of the next one (guarded by the table lock).</summary>
    public int EjectionLevel { get; set; }

    /// <summary>Latest health check said the endpoint is not serving (guarded by the table lock).</summary>
    public bool ReportedUnhealthy { get; set; }

    public bool IsAdmitted(long nowTicks) => !IsHealthEjected && EjectedUntilTicks <= nowTicks;

    public int RecordFailure() => Interlocked.Increment(ref _consecutiveFailures);

    public void RecordSuccess()
    {
        if (Volatile.Read(ref _consecutiveFailures) != 0)
        {
            Volatile.Write(ref _consecutiveFailures, 0);
        }
    }

    public void Eject(long untilTicks)
    {
        Volatile.Write(ref _consecutiveFailures, 0);
        Volatile.Write(ref _ejectedUntilTicks, untilTicks);
    }

    public void SetHealthEjected(bool ejected) => Volatile.Write(ref _healthEjected, ejected ? 1 : 0);

    public void SetConnectivity(ConnectivityState state) => Volatile.Write(ref _connectivity, (int)state);
}
