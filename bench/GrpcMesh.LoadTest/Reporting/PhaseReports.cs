using GrpcMesh.LoadTest.Load;
using HdrHistogram;

namespace GrpcMesh.LoadTest.Reporting;

internal static class PhaseReports
{
    public static PhaseReport From(PhaseResult result) => new(
        result.Mode,
        result.Connections,
        result.Concurrency,
        result.TargetRps is { } rate ? Math.Round(rate, 1) : null,
        result.Measured.TotalSeconds,
        result.Ok,
        result.Failed,
        result.NotSent,
        Math.Round(result.OkPerSecond, 1),
        Latency(result.OkLatencyMicros),
        result.Statuses.ToDictionary(),
        result.Statuses.FirstError);

    private static LatencyReport Latency(HistogramBase histogram) => histogram.TotalCount == 0
        ? new LatencyReport(0, 0, 0, 0, 0, 0)
        : new LatencyReport(
            Ms(histogram.GetValueAtPercentile(50)),
            Ms(histogram.GetValueAtPercentile(90)),
            Ms(histogram.GetValueAtPercentile(99)),
            Ms(histogram.GetValueAtPercentile(99.9)),
            Ms(histogram.GetMaxValue()),
            Math.Round(histogram.GetMean() / 1000.0, 3));

    public static double Ms(long micros) => Math.Round(micros / 1000.0, 3);
}
