using HdrHistogram;

namespace GrpcMesh.LoadTest.Load;

/// <summary>
/// What one measured phase produced. Only calls that ended OK count as throughput and feed the latency histogram;
/// every other outcome is counted by status.
/// </summary>
internal sealed record PhaseResult(
    string Mode,
    int Connections,
    int? Concurrency,
    double? TargetRps,
    TimeSpan Measured,
    HistogramBase OkLatencyMicros,
    StatusTally Statuses,
    long NotSent)
{
    /// <summary>Every call the loop finished, warm-up and the calls after the window included (what the servers saw).</summary>
    public long Completed { get; init; }

    public long Ok => Statuses.Ok;

    public long Failed => Statuses.Failed;

    public double OkPerSecond => Ok / Measured.TotalSeconds;
}
