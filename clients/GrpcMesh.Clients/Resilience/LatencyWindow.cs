namespace GrpcMesh.Clients.Resilience;

/// <summary>
/// The latencies of the last <see cref="Capacity"/> answered calls of one method, and a percentile of them recomputed
/// every <see cref="RecomputeEvery"/> samples (a sort of 256 numbers, not one per call).
/// </summary>
internal sealed class LatencyWindow(double percentile)
{
    public const int Capacity = 256;
    public const int RecomputeEvery = 32;

    /// <summary>Samples needed before <see cref="Percentile"/> has a value.</summary>
    public const int MinSamples = 64;

    private readonly Lock _lock = new();
    private readonly double[] _samples = new double[Capacity];
    private long _count;
    private TimeSpan? _percentile;

    /// <summary>The percentile of the window, or null while it holds fewer than <see cref="MinSamples"/> samples.</summary>
    public TimeSpan? Percentile
    {
        get
        {
            lock (_lock)
            {
                return _percentile;
            }
        }
    }

    public void Record(TimeSpan latency)
    {
        lock (_lock)
        {
            _samples[_count % Capacity] = latency.TotalMilliseconds;
            _count++;
            if (_count >= MinSamples && _count % RecomputeEvery == 0)
            {
                var sorted = _samples.AsSpan(0, (int)Math.Min(_count, Capacity)).ToArray();
                Array.Sort(sorted);
                var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
                _percentile = TimeSpan.FromMilliseconds(sorted[Math.Clamp(rank, 0, sorted.Length - 1)]);
            }
        }
    }
}
