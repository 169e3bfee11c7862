namespace GrpcMesh.Clients.Balancing;

/// <summary>
/// The load of one endpoint as <c>least_loaded</c> sees it (Linkerd's and Finagle's peak EWMA): calls in flight and a
/// moving average of attempt latency where a sample above the average replaces it at once and the average decays towards
/// lower samples — and, between samples, towards zero — with time constant τ (<c>LoadBalancing:LatencyDecay</c>), so an
/// endpoint that was avoided for being slow is tried again after a while.
/// </summary>
internal sealed class EndpointLoad
{
    /// <summary>What an endpoint not measured yet counts as, so it is tried without being flooded.</summary>
    public const double UnmeasuredLatencyMs = 1;

    /// <summary>An overload answer (RESOURCE_EXHAUSTED) counts as a sample of at least this: the endpoint said it is full.</summary>
    public const double OverloadLatencyMs = 1000;

    private readonly Lock _lock = new();
    private int _inFlight;
    private double _latencyMs;
    private long _stampTicks;

    public int InFlight => Volatile.Read(ref _inFlight);

    public void Begin() => Interlocked.Increment(ref _inFlight);

    /// <summary>Ends an attempt that took <paramref name="latencyMs"/> (null: it says nothing about the endpoint), at <paramref name="nowTicks"/>.</summary>
    public void End(double? latencyMs, long nowTicks, long decayTicks)
    {
        Interlocked.Decrement(ref _inFlight);
        if (latencyMs is not { } sample)
        {
            return;
        }

        lock (_lock)
        {
            var current = Decayed(nowTicks, decayTicks);
            var average = sample >= current || _stampTicks == 0
                ? sample
                : current + ((sample - current) * (1 - Weight(nowTicks, decayTicks)));
            Volatile.Write(ref _latencyMs, average);
            Volatile.Write(ref _stampTicks, nowTicks);
        }
    }

    /// <summary>Lower is better: the decayed latency average × (calls in flight + 1).</summary>
    public double Cost(long nowTicks, long decayTicks)
    {
        var latency = Volatile.Read(ref _stampTicks) == 0 ? UnmeasuredLatencyMs : Decayed(nowTicks, decayTicks);
        return latency * (InFlight + 1);
    }

    private double Decayed(long nowTicks, long decayTicks) => Volatile.Read(ref _latencyMs) * Weight(nowTicks, decayTicks);

    private double Weight(long nowTicks, long decayTicks) => Math.Exp(-Math.Max(0, nowTicks - Volatile.Read(ref _stampTicks)) / (double)decayTicks);
}
