using System.Diagnostics;
using HdrHistogram;

namespace GrpcMesh.LoadTest.Load;

/// <summary>
/// Fixed concurrency: each worker sends its next call as soon as the previous one finished, so the rate found is
/// the most the system (server and load generator on the same cores) sustains at that concurrency. Workers are
/// spread evenly over the connections; a call counts when it finishes inside the measured window.
/// </summary>
internal static class ClosedLoop
{
    public static async Task<PhaseResult> RunAsync(
        UnaryCall[] connections, int concurrency, TimeSpan warmup, TimeSpan duration,
        ProgressReporter progress, string label, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + ToTicks(warmup);
        var end = measureFrom + ToTicks(duration);
        var workers = new Worker[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            workers[i] = new Worker(connections[i % connections.Length], i);
        }

        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progressTask = progress.RunAsync(label, () => Sample(workers), measureFrom, end, stopProgress.Token);
        try
        {
            await Task.WhenAll(workers.Select(w => Task.Run(() => w.RunAsync(concurrency, measureFrom, end, cancellationToken), cancellationToken)))
                ;
        }
        finally
        {
            await stopProgress.CancelAsync();
            await progressTask;
        }

        var latency = LatencyHistograms.Create();
        var statuses = new StatusTally();
        foreach (var worker in workers)
        {
            latency.Add(worker.Latency);
            statuses.Add(worker.Statuses);
        }

        return new PhaseResult("closed", connections.Length, concurrency, null, duration, latency, statuses, NotSent: 0)
        {
            Completed = workers.Sum(w => w.Completed),
        };
    }

    private static long ToTicks(TimeSpan time) => (long)(time.TotalSeconds * Stopwatch.Frequency);

    private static (long, long) Sample(Worker[] workers)
    {
        long completed = 0, failed = 0;
        foreach (var worker in workers)
        {
            completed += Volatile.Read(ref worker.Completed);
            failed += worker.Statuses.Failed;
        }

        return (completed, failed);
    }

    private sealed class Worker(UnaryCall call, long firstSequence)
    {
        public long Completed;

        public LongHistogram Latency { get; } = LatencyHistograms.Create();

        public StatusTally Statuses { get; } = new();

        public async Task RunAsync(int stride, long measureFrom, long end, CancellationToken cancellationToken)
        {
            for (var sequence = firstSequence; ; sequence += stride)
            {
                var sent = Stopwatch.GetTimestamp();
                Exception? failure = null;
                try
                {
                    await call(sequence, cancellationToken);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = ex;
                }

                var done = Stopwatch.GetTimestamp();
                Volatile.Write(ref Completed, Completed + 1);
                if (done >= end)
                {
                    return;
                }

                if (done < measureFrom)
                {
                    continue;
                }

                Statuses.Record(failure, Latency, done - sent);
            }
        }
    }
}
