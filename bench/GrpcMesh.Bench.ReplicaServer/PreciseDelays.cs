using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GrpcMesh.Bench.ReplicaServer;

/// <summary>
/// Delays completed by one dedicated thread that sleeps with usleep (~0.1 ms late) instead of .NET timers, which fire
/// 1–4 ms late on a busy Linux box: a 2 ms resource hold then takes 2 ms, and the resource's capacity is what its
/// settings say (slots ÷ hold) rather than what the timer wheel allows.
/// </summary>
public sealed partial class PreciseDelays : IDisposable
{
    // A delay due earlier than the one the thread sleeps for waits at most this long past its due time.
    private const long MaxSleepMicros = 1_000;

    private readonly PriorityQueue<TaskCompletionSource, long> _due = new();
    private readonly object _gate = new();
    private readonly Thread _thread;
    private bool _stopped;

    public PreciseDelays()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "precise-delays" };
        _thread.Start();
    }

    public Task Delay(TimeSpan delay)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var due = Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);
        lock (_gate)
        {
            _due.Enqueue(done, due);
            if (_due.Count == 1)
            {
                Monitor.Pulse(_gate);
            }
        }

        return done.Task;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
            Monitor.Pulse(_gate);
        }

        _thread.Join();
    }

    private void Run()
    {
        while (true)
        {
            long wait;
            lock (_gate)
            {
                while (_due.Count == 0 && !_stopped)
                {
                    Monitor.Wait(_gate);
                }

                if (_stopped)
                {
                    return;
                }

                var now = Stopwatch.GetTimestamp();
                long due;
                while (_due.TryPeek(out var done, out due) && due <= now)
                {
                    _due.Dequeue();
                    done.TrySetResult();
                }

                wait = _due.Count == 0 ? 0 : due - now;
            }

            if (wait > 0)
            {
                _ = USleep((uint)Math.Clamp(wait * 1_000_000 / Stopwatch.Frequency, 1, MaxSleepMicros));
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int USleep(uint microseconds);
}
