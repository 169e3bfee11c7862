using System.Diagnostics;

namespace GrpcMesh.Clients.Resilience;

/// <summary>
/// Delays of a few milliseconds that end when they are due by the high-resolution clock. .NET's timers fire on a coarse
/// clock — on Linux <c>CLOCK_MONOTONIC_COARSE</c>, one kernel tick (4 ms at the common HZ=250), on Windows 15.6 ms — so
/// a 3 ms <c>Task.Delay</c> ends anywhere from 0 to 4 ms after it starts, and one that must not end early (waited on again
/// for what is left) ends 4–8 ms after. Here one dedicated thread keeps the pending delays by due time and sleeps on a
/// monitor (a condition variable on the monotonic clock) until the next is due, woken when an earlier one arrives; a
/// cancelled delay (the call answered first: most of them) leaves the queue at once, in O(log n), so the thread wakes
/// only for delays that end.
/// </summary>
internal static class PreciseDelay
{
    private static readonly object Gate = new();
    private static readonly SortedSet<Entry> Due = new(Comparer<Entry>.Create(static (a, b) =>
        a.DueAt != b.DueAt ? a.DueAt.CompareTo(b.DueAt) : a.Sequence.CompareTo(b.Sequence)));

    private static Thread? _thread;
    private static long _sequence;

    /// <summary>Delays waiting to end (for tests: a cancelled one is gone at once).</summary>
    internal static int Pending
    {
        get
        {
            lock (Gate)
            {
                return Due.Count;
            }
        }
    }

    public static async Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var dueAt = Stopwatch.GetTimestamp() + (long)Math.Ceiling(delay.TotalSeconds * Stopwatch.Frequency);
        Entry entry;
        lock (Gate)
        {
            entry = new Entry(dueAt, _sequence++);
            Due.Add(entry);
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "grpcmesh-precise-delay" };
                _thread.Start();
            }
            else if (Due.Min == entry)
            {
                Monitor.Pulse(Gate); // due before what the thread sleeps for
            }
        }

        using var registration = cancellationToken.UnsafeRegister(static (state, token) => Cancel((Entry)state!, token), entry);
        await entry.Done.Task.ConfigureAwait(false);
    }

    private static void Cancel(Entry entry, CancellationToken token)
    {
        lock (Gate)
        {
            Due.Remove(entry);
        }

        entry.Done.TrySetCanceled(token);
    }

    private static void Run()
    {
        lock (Gate)
        {
            while (true)
            {
                if (Due.Min is not { } next)
                {
                    Monitor.Wait(Gate);
                    continue;
                }

                var left = next.DueAt - Stopwatch.GetTimestamp();
                if (left > 0)
                {
                    Monitor.Wait(Gate, (int)Math.Ceiling(left * 1000.0 / Stopwatch.Frequency));
                    continue;
                }

                Due.Remove(next);
                next.Done.TrySetResult();
            }
        }
    }

    private sealed class Entry(long dueAt, long sequence)
    {
        public long DueAt { get; } = dueAt;

        public long Sequence { get; } = sequence;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
