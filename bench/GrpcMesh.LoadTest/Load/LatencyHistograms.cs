using HdrHistogram;

namespace GrpcMesh.LoadTest.Load;

/// <summary>Latencies in microseconds, 1 µs to 60 s, 3 significant digits.</summary>
internal static class LatencyHistograms
{
    private const long Highest = 60_000_000;

    public static LongHistogram Create() => new(1, Highest, 3);

    public static LongConcurrentHistogram CreateConcurrent() => new(1, Highest, 3);

    public static void Record(HistogramBase histogram, long elapsedTicks) =>
        histogram.RecordValue(Math.Clamp(elapsedTicks * 1_000_000 / System.Diagnostics.Stopwatch.Frequency, 1, Highest));
}
