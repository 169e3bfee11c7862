using System.Diagnostics;
using Grpc.Core;

namespace GrpcMesh.LoadTest.Load;

/// <summary>
/// Fixed arrival rate: call i is due at start + i/rate whether or not earlier calls have finished, and its latency
/// is measured from when it was due (not when it was sent), so a stalled server cannot hide its queueing
/// (no coordinated omission). Calls that would exceed <see cref="MaxOutstanding"/> are not sent and are counted.
/// </summary>
internal static class OpenLoop
{
    public const int MaxOutstanding = 10_000;

    public static async Task<PhaseResult> RunAsync(
        UnaryCall[] connections, double rate, TimeSpan warmup, TimeSpan duration,
        ProgressReporter progress, string label, CancellationToken cancellationToken)
    {
        var state = new State(connections, cancellationToken);
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var end = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var ticksPerCall = Stopwatch.Frequency / rate;

        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progressTask = progress.RunAsync(label, () => (Volatile.Read(ref state.Completed), state.Statuses.Failed), measureFrom, end, stopProgress.Token);
        try
        {
            long sequence = 0;
            while (true)
            {
                var now = Stopwatch.GetTimestamp();
                for (var due = start + (long)(sequence * ticksPerCall); due <= now && due < end; due = start + (long)(++sequence * ticksPerCall))
                {
                    state.Send(sequence, due, measured: due >= measureFrom);
                }

                if (now >= end)
                {
                    break;
                }

                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
            }

            await state.DrainAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        finally
        {
            await stopProgress.CancelAsync().ConfigureAwait(false);
            await progressTask.ConfigureAwait(false);
        }

        return new PhaseResult("open", connections.Length, null, rate, duration, state.Latency, state.Statuses, state.NotSent);
    }

    private sealed class State(UnaryCall[] connections, CancellationToken cancellationToken)
    {
        private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _outstanding;
        private int _draining;

        public long Completed;
        public long NotSent;

        public HdrHistogram.LongConcurrentHistogram Latency { get; } = LatencyHistograms.CreateConcurrent();

        public StatusTally Statuses { get; } = new();

        public void Send(long sequence, long due, bool measured)
        {
            if (Volatile.Read(ref _outstanding) >= MaxOutstanding)
            {
                if (measured)
                {
                    NotSent++;
                }

                return;
            }

            Interlocked.Increment(ref _outstanding);
            _ = CallAsync(connections[sequence % connections.Length], sequence, due, measured);
        }

        public async Task DrainAsync(TimeSpan timeout)
        {
            Interlocked.Exchange(ref _draining, 1);
            if (Volatile.Read(ref _outstanding) == 0)
            {
                return;
            }

            await _drained.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }

        private async Task CallAsync(UnaryCall call, long sequence, long due, bool measured)
        {
            Exception? failure = null;
            try
            {
                await call(sequence, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failure = ex;
            }

            var done = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref Completed);
            if (measured)
            {
                switch (failure)
                {
                    case null:
                        Statuses.RecordOk();
                        LatencyHistograms.Record(Latency, done - due);
                        break;
                    case RpcException rpc:
                        Statuses.Record(rpc);
                        break;
                    default:
                        Statuses.Record(failure);
                        break;
                }
            }

            if (Interlocked.Decrement(ref _outstanding) == 0 && Volatile.Read(ref _draining) == 1)
            {
                _drained.TrySetResult();
            }
        }
    }
}
