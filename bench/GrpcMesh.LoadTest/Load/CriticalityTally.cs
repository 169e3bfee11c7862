using System.Diagnostics;
using Grpc.Core;
using HdrHistogram;

namespace GrpcMesh.LoadTest.Load;

/// <summary>
/// The outcome of a load that mixes critical and sheddable calls, per criticality (statuses, latency of OK calls), and
/// the priority check over fixed windows of send time: a window is bad when a critical call sent in it was refused
/// (RESOURCE_EXHAUSTED) while a sheddable call sent in it was admitted (ended OK) — the server let lower-priority work
/// in at a moment it turned critical work away. And the exact check: critical refusals that arrived while a sheddable
/// call that ended OK was in flight (between its send and its answer, which contains the time the server ran it). And
/// the latency of the critical calls that ended OK sent from <paramref name="settledFrom"/> (a timestamp) on: the load
/// once past the way into it. Thread-safe.
/// </summary>
internal sealed class CriticalityTally(TimeSpan window, long settledFrom = long.MaxValue)
{
    private const int CriticalRefused = 1;
    private const int SheddableAdmitted = 2;
    private const int CriticalFailed = 4;

    private readonly long _windowTicks = Math.Max(1, (long)(window.TotalSeconds * Stopwatch.Frequency));
    private readonly Dictionary<long, int> _windows = [];
    private readonly List<(long Sent, long Answered)> _sheddableAdmitted = [];
    private readonly List<long> _criticalRefusedAt = [];
    private readonly Lock _gate = new();

    public TimeSpan Window { get; } = window;

    public StatusTally Critical { get; } = new();

    public StatusTally Sheddable { get; } = new();

    public LongConcurrentHistogram CriticalLatency { get; } = LatencyHistograms.CreateConcurrent();

    public LongConcurrentHistogram SheddableLatency { get; } = LatencyHistograms.CreateConcurrent();

    public LongConcurrentHistogram SettledCriticalLatency { get; } = LatencyHistograms.CreateConcurrent();

    /// <summary>An open-loop observer that records each call, its criticality told by <paramref name="isSheddable"/> from its sequence number.</summary>
    public CallObserver Observer(Func<long, bool> isSheddable) =>
        (sequence, sent, elapsed, failure) => Record(isSheddable(sequence), sent, elapsed, failure);

    public void Record(bool sheddable, long sentTimestamp, long elapsedTicks, Exception? failure)
    {
        (sheddable ? Sheddable : Critical).Record(failure, sheddable ? SheddableLatency : CriticalLatency, elapsedTicks);
        if (!sheddable && failure is null && sentTimestamp >= settledFrom)
        {
            LatencyHistograms.Record(SettledCriticalLatency, elapsedTicks);
        }

        var flag = (sheddable, failure) switch
        {
            (true, null) => SheddableAdmitted,
            (false, RpcException { StatusCode: StatusCode.ResourceExhausted }) => CriticalRefused | CriticalFailed,
            (false, not null) => CriticalFailed,
            _ => 0,
        };

        var key = sentTimestamp / _windowTicks;
        lock (_gate)
        {
            _windows[key] = _windows.GetValueOrDefault(key) | flag;
            if ((flag & SheddableAdmitted) != 0)
            {
                _sheddableAdmitted.Add((sentTimestamp, sentTimestamp + elapsedTicks));
            }
            else if ((flag & CriticalRefused) != 0)
            {
                _criticalRefusedAt.Add(sentTimestamp + elapsedTicks);
            }
        }
    }

    /// <summary>Critical refusals whose answer arrived while an admitted sheddable call was in flight.</summary>
    public int CriticalRefusedWhileSheddableRunning()
    {
        lock (_gate)
        {
            var running = Union(_sheddableAdmitted);
            return _criticalRefusedAt.Count(at => Covers(running, at));
        }
    }

    /// <summary>The intervals merged into disjoint ones, in order.</summary>
    private static List<(long Start, long End)> Union(List<(long Sent, long Answered)> intervals)
    {
        var merged = new List<(long Start, long End)>();
        foreach (var (start, end) in intervals.OrderBy(i => i.Sent))
        {
            if (merged.Count > 0 && start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, end));
            }
            else
            {
                merged.Add((start, end));
            }
        }

        return merged;
    }

    private static bool Covers(List<(long Start, long End)> disjoint, long at)
    {
        int low = 0, high = disjoint.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (at < disjoint[middle].Start)
            {
                high = middle - 1;
            }
            else if (at > disjoint[middle].End)
            {
                low = middle + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Windows in which any call was sent; those in which a critical call was refused while a sheddable one was admitted;
    /// and, wider, those in which a critical call failed in any way (e.g. DEADLINE_EXCEEDED in the server's queue) while a
    /// sheddable one was admitted.
    /// </summary>
    public WindowCheck CheckWindows()
    {
        lock (_gate)
        {
            return new WindowCheck(
                _windows.Count,
                _windows.Values.Count(f => (f & (CriticalRefused | SheddableAdmitted)) == (CriticalRefused | SheddableAdmitted)),
                _windows.Values.Count(f => (f & (CriticalFailed | SheddableAdmitted)) == (CriticalFailed | SheddableAdmitted)));
        }
    }
}
