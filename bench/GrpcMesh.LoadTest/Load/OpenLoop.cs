using System.Diagnostics;

namespace GrpcMesh.LoadTest.Load;

/// <summary>
/// Fixed arrival rate: call i is due at start + i/rate whether or not earlier calls have finished, and its latency
/// is measured from when it was due (not when it was sent), so a stalled server cannot hide its queueing
/// (no coordinated omission). Calls that would exceed <see cref="MaxOutstanding"/> are not sent and are counted.
/// </summary>
internal static class OpenLoop
{
    public const int MaxOutstanding = 10_000;

    /// <summary>How often each sender wakes up to send the calls that have come due.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    public static async Task<PhaseResult> RunAsync(
        UnaryCall[] connections, double rate, TimeSpan warmup, TimeSpan duration,
        ProgressReporter progress, string label, CancellationToken cancellationToken, CallObserver? observer = null)
    {
        var state = new State(connections, observer, cancellationToken);
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var end = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);

        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progressTask = progress.RunAsync(label, () => (Volatile.Read(ref state.Completed), state.Statuses.Failed), measureFrom, end, stopProgress.Token);
        try
        {
            // One sender thread per connection, each with its share of the rate and a staggered phase, so calls go out
            // in small groups. Dedicated threads that sleep precisely (see PreciseSleep): .NET timers are too coarse, and
            // their continuations would queue behind the load's own work items in the thread pool.
            var senders = Enumerable.Range(0, connections.Length)
                .Select(index => Task.Factory.StartNew(
                    () => Send(state, index, connections.Length, rate, start, measureFrom, end, cancellationToken),
                    cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default))
                .ToArray();
            await Task.WhenAll(senders);
            await state.DrainAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            await stopProgress.CancelAsync();
            await progressTask;
        }

        return new PhaseResult("open", connections.Length, null, rate, duration, state.Latency, state.Statuses, Volatile.Read(ref state.NotSent))
        {
            Completed = Volatile.Read(ref state.Completed),
        };
    }

    /// <summary>
    /// Sender <paramref name="index"/> of <paramref name="senders"/> owns calls index, index + senders, … of the schedule.
    /// It wakes every <see cref="Tick"/> and sends what has come due: one socket write per call would cost the loopback
    /// server far more than the small batches real traffic mixes into (and than the closed loop sends), so calls are
    /// at most one tick late — which their latency, measured from the due time, includes.
    /// </summary>
    private static void Send(State state, int index, int senders, double rate, long start, long measureFrom, long end, CancellationToken cancellationToken)
    {
        var ticksPerCall = Stopwatch.Frequency / rate;
        var tick = (long)(Tick.TotalSeconds * Stopwatch.Frequency);
        var wake = start + index * tick / senders;
        for (long sequence = index; !cancellationToken.IsCancellationRequested;)
        {
            PreciseSleep.Until(wake);
            var now = Stopwatch.GetTimestamp();
            long due;
            while ((due = start + (long)(sequence * ticksPerCall)) <= now)
            {
                if (due >= end)
                {
                    return;
                }

                state.Send(index, sequence, due, measured: due >= measureFrom);
                sequence += senders;
            }

            if (due >= end)
            {
                return;
            }

            wake = Math.Max(wake + tick, due - tick);
        }
    }

    private sealed class State(UnaryCall[] connections, CallObserver? observer, CancellationToken cancellationToken)
    {
        private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _outstanding;
        private int _draining;

        public long Completed;
        public long NotSent;

        public HdrHistogram.LongConcurrentHistogram Latency { get; } = LatencyHistograms.CreateConcurrent();

        public StatusTally Statuses { get; } = new();

        public void Send(int connection, long sequence, long due, bool measured)
        {
            if (Volatile.Read(ref _outstanding) >= MaxOutstanding)
            {
                if (measured)
                {
                    Interlocked.Increment(ref NotSent);
                }

                return;
            }

            Interlocked.Increment(ref _outstanding);
            _ = CallAsync(connections[connection], sequence, due, measured);
        }

        public async Task DrainAsync(TimeSpan timeout)
        {
            Interlocked.Exchange(ref _draining, 1);
            if (Volatile.Read(ref _outstanding) == 0)
            {
                return;
            }

            await _drained.Task.WaitAsync(timeout, cancellationToken);
        }

        private async Task CallAsync(UnaryCall call, long sequence, long due, bool measured)
        {
            Exception? failure = null;
            var sent = Stopwatch.GetTimestamp();
            try
            {
                await call(sequence, cancellationToken);
            }
            catch (Exception ex)
            {
                failure = ex;
            }

            var done = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref Completed);
            if (measured)
            {
                Statuses.Record(failure, Latency, done - due);
                observer?.Invoke(sequence, sent, done - due, failure);
            }

            if (Interlocked.Decrement(ref _outstanding) == 0 && Volatile.Read(ref _draining) == 1)
            {
                _drained.TrySetResult();
            }
        }
    }
}
