using Grpc.Core;

namespace GrpcMesh.Clients.Balancing;

/// <summary>
/// What the client knows about one endpoint of a balanced target. The picker reads it lock-free on every call; changes
/// happen under the <see cref="EndpointTable"/>'s lock. Health (what the endpoint says of itself) and outlier ejection
/// (what its calls say) are kept apart: the cap applies to ejection only.
/// </summary>
internal sealed class EndpointState(string endpoint)
{
    private long _ejectedUntilTicks;
    private int _unhealthy;
    private int _consecutiveFailures;
    private int _connectivity = (int)ConnectivityState.Idle;

    /// <summary><c>host:port</c>.</summary>
    public string Endpoint { get; } = endpoint;

    /// <summary>Calls in flight and latency, tracked for <c>least_loaded</c> only.</summary>
    public EndpointLoad Load { get; } = new();

    /// <summary>End of the current (or last) outlier ejection, UTC ticks; 0 when never ejected.</summary>
    public long EjectedUntilTicks => Volatile.Read(ref _ejectedUntilTicks);

    /// <summary>False while its health service says it is not serving (or does not answer).</summary>
    public bool IsHealthy => Volatile.Read(ref _unhealthy) == 0;

    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    /// <summary>Connectivity of its subchannel (last reported).</summary>
    public ConnectivityState Connectivity => (ConnectivityState)Volatile.Read(ref _connectivity);

    /// <summary>Its subchannel is connected: only then does it count towards the ejection cap.</summary>
    public bool IsConnected => Connectivity == ConnectivityState.Ready;

    /// <summary>Ejections in a row that set the length of the next one (guarded by the table lock).</summary>
    public int EjectionLevel { get; set; }

    public bool IsEjected(long nowTicks) => EjectedUntilTicks > nowTicks;

    /// <summary>Healthy and not ejected: a first-choice candidate.</summary>
    public bool IsAdmitted(long nowTicks) => IsHealthy && !IsEjected(nowTicks);

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

    public void SetHealthy(bool healthy) => Volatile.Write(ref _unhealthy, healthy ? 0 : 1);

    public void SetConnectivity(ConnectivityState state) => Volatile.Write(ref _connectivity, (int)state);
}
