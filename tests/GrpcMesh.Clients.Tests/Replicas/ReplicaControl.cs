namespace GrpcMesh.Clients.Tests.Replicas;

/// <summary>What a test sees and steers of one replica: the UserService calls it received, its health, a fault switch.</summary>
public sealed class ReplicaControl
{
    private int _calls;
    private long _lastCallTimestamp;
    private long _delayTicks;
    private volatile bool _serving = true;
    private volatile bool _faulty;

    /// <summary>UserService calls that reached this replica (health checks not included).</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary><see cref="TimeProvider.System"/> timestamp of the last UserService call that reached this replica; 0 before the first.</summary>
    public long LastCallTimestamp => Volatile.Read(ref _lastCallTimestamp);

    /// <summary>How long each UserService call waits before it is handled (a slow replica); zero by default.</summary>
    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _delayTicks));
        set => Volatile.Write(ref _delayTicks, value.Ticks);
    }

    /// <summary>False: grpc.health.v1 Check answers NOT_SERVING (what a draining replica reports) while calls are still served.</summary>
    public bool Serving
    {
        get => _serving;
        set => _serving = value;
    }

    /// <summary>True: every UserService call fails with UNAVAILABLE (an overloaded or broken replica that still accepts connections).</summary>
    public bool Faulty
    {
        get => _faulty;
        set => _faulty = value;
    }

    internal void Received()
    {
        Interlocked.Increment(ref _calls);
        Volatile.Write(ref _lastCallTimestamp, TimeProvider.System.GetTimestamp());
    }
}
