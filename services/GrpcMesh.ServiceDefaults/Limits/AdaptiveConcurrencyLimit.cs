namespace GrpcMesh.ServiceDefaults.Limits;

/// <summary>
/// A latency-driven concurrency limit (the gradient algorithm of Netflix's concurrency-limits, Gradient2). A window (at
/// least <see cref="WindowLength"/> and <see cref="MinWindowSamples"/> calls) is summed up by its calls' 90th
/// percentile service time: a tenth of the calls stalled on something else (a lock, a slow downstream) do not move it,
/// while it moves as soon as more than a tenth wait in a queue — a median would stay put until half of them did,
/// letting the limit settle at twice what a resource of a few slots serves. The uncongested service time starts as the
/// fastest of the first ten windows and then follows a slow moving average of them (about a minute of windows; ten
/// minutes of congested ones). Each window moves the limit towards limit × min(1, <c>tolerance</c> × that ÷ the
/// window's time) + √limit, as Gradient2 and Envoy do: it grows by about √limit while calls run within the tolerance
/// and shrinks (by at most 10 % per window) once they run slower than (1 + 1/√limit) × tolerance. A congested window in
/// which the limit was reached also caps the target at <see cref="KneeGain"/> × the calls it completed per second × the
/// uncongested time: by Little's law the number of calls the bottleneck serves at once (what Kratos's and go-zero's BBR
/// shedders compute as max pass × min RT), with BBR's probing gain on top so the limit can still find more capacity.
/// Below the limit that product is only the calls in flight, and slow calls there are a slow dependency or jitter, not
/// this server's queue: capping at it would pin the limit to the traffic of the moment. Without the cap the gradient
/// settles where calls run (1 + 1/√limit) × tolerance slower than uncongested: twice the service time at the default
/// tolerance and a limit of 17, half of it queueing inside the handler. A window in which few calls ran says little:
/// the limit grows only when at least half of it was in use (a server that is not the bottleneck cannot tell how many
/// more calls it could take) and shrinks only when at least a quarter was (slow calls at a trickle are noise, not
/// congestion; above that, a limit far over the calls in flight starts protecting before they reach it).
/// </summary>
/// <remarks>
/// Congested windows move the average ten times more slowly, so an overload of a minute barely shifts it, while a
/// lasting change in what calls cost (a heavier mix, a slower disk) is learned within minutes instead of pinning the
/// limit at its floor. A server that starts already overloaded learns a congested time and shrinks only once load
/// eases. Thread safety: <see cref="Record"/> is called concurrently and takes a lock (tens of nanoseconds a call).
/// </remarks>
internal sealed class AdaptiveConcurrencyLimit(int min, int max, double tolerance, int initial, long timestampFrequency)
{
    public static readonly TimeSpan WindowLength = TimeSpan.FromMilliseconds(100);
    public const int MinWindowSamples = 10;

    /// <summary>How far above the concurrency the bottleneck was measured to serve a congested window may set the limit.</summary>
    public const double KneeGain = 1.25;

    private const double Smoothing = 0.2;
    private const double MinGradient = 0.5;
    private const int WarmupWindows = 10;
    private const int BaselineWindows = 600;
    private const int CongestedBaselineWindows = 6000;

    /// <summary>Service times kept per window to take its 90th percentile from: a uniform sample when more calls end in it.</summary>
    internal const int WindowSampleCapacity = 256;

    private readonly Lock _window = new();
    private readonly long _windowTicks = (long)(WindowLength.TotalSeconds * timestampFrequency);
    private readonly long[] _samples = new long[WindowSampleCapacity];
    private long _windowStart = long.MinValue;
    private int _windowCalls;
    private int _windowMaxRunning;
    private double _limit = Math.Clamp(initial, min, max);
    private double _baselineTicks;
    private int _windows;

    public int Limit => (int)Volatile.Read(ref _limit);

    /// <summary>The uncongested service time learned so far (zero before the first window).</summary>
    public TimeSpan Baseline => TimeSpan.FromSeconds(Volatile.Read(ref _baselineTicks) / timestampFrequency);

    /// <summary>Adds a call that was running for <paramref name="elapsedTicks"/> (timestamp ticks) alongside <paramref name="running"/> calls; true when it closed a window and the limit may have changed.</summary>
    public bool Record(long elapsedTicks, int running, long now)
    {
        lock (_window)
        {
            if (_windowStart == long.MinValue)
            {
                _windowStart = now;
            }

            // Reservoir sampling (Vitter's algorithm R): every call of the window is equally likely to be kept.
            var call = _windowCalls++;
            var slot = call < _samples.Length ? call : Random.Shared.Next(call + 1);
            if (slot < _samples.Length)
            {
                _samples[slot] = elapsedTicks;
            }

            _windowMaxRunning = Math.Max(_windowMaxRunning, running);
            if (now - _windowStart < _windowTicks || _windowCalls < MinWindowSamples)
            {
                return false;
            }

            var kept = Math.Min(_windowCalls, _samples.Length);
            Array.Sort(_samples, 0, kept);
            Update(_samples[kept * 9 / 10], _windowMaxRunning, _windowCalls / (double)(now - _windowStart));
            _windowStart = now;
            _windowCalls = 0;
            _windowMaxRunning = 0;
            return true;
        }
    }

    /// <summary>
    /// Closes a window whose calls' 90th percentile service time was <paramref name="windowTicks"/>, with at most
    /// <paramref name="maxRunning"/> running at once and <paramref name="callsPerTick"/> completed per timestamp tick.
    /// </summary>
    internal void Update(double windowTicks, int maxRunning, double callsPerTick)
    {
        var windowTime = Math.Max(windowTicks, 1);
        var congested = _windows >= WarmupWindows && windowTime > tolerance * _baselineTicks;
        var baseline = ++_windows <= WarmupWindows
            ? (_windows == 1 ? windowTime : Math.Min(_baselineTicks, windowTime))
            : _baselineTicks + ((windowTime - _baselineTicks) * 2 / ((congested ? CongestedBaselineWindows : BaselineWindows) + 1));

        // Load just dropped: let the baseline come down faster than the average alone would.
        if (baseline / windowTime > 2)
        {
            baseline *= 0.95;
        }

        Volatile.Write(ref _baselineTicks, baseline);
        var gradient = Math.Clamp(tolerance * baseline / windowTime, MinGradient, 1.0);
        var target = (_limit * gradient) + Math.Sqrt(_limit);
        if (gradient < 1 && maxRunning >= (int)_limit)
        {
            target = Math.Max(_limit * MinGradient, Math.Min(target, KneeGain * callsPerTick * baseline));
        }

        if (maxRunning < (target >= _limit ? _limit / 2 : _limit / 4))
        {
            return;
        }

        Volatile.Write(ref _limit, Math.Clamp((_limit * (1 - Smoothing)) + (target * Smoothing), min, max));
    }
}
