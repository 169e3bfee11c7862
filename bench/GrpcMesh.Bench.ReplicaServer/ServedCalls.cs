namespace GrpcMesh.Bench.ReplicaServer;

/// <summary>
/// GetUser calls that reached the handler (attempts, whatever their outcome, including hedges later cancelled). The
/// harness reads it before and after a phase (GET /bench/served) and takes the difference.
/// </summary>
public sealed class ServedCalls
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>Counts a call and returns its number (1 for the first).</summary>
    public long Next() => Interlocked.Increment(ref _count);
}
