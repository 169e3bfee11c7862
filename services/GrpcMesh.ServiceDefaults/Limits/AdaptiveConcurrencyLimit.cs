namespace GrpcMesh.ServiceDefaults.Limits;

/// <summary>
/// A latency-driven concurrency limit (the gradient algorithm of Netflix's concurrency-limits, Gradient2). Calls'
/// service times are averaged per window (at least <see cref="WindowLength"/> and <see cref="MinWindowSamples"/>
/// calls). The uncongested service time starts as the fastest of the first ten windows and then follows a slow moving
/// average of them (about a minute of windows; ten minutes of congested ones). When a window is slower than
/// <c>tolerance</c> × that, the limit shrinks in proportion (by at most 10 % per window); otherwise it grows by about
/// √limit per window. A window in which few calls ran says little: the limit grows only when at least half of it was
/// in use (a server that is not the bottleneck cannot tell how many more calls it could take) and shrinks only when at
/// least a quarter was (slow calls at a trickle are noise, not congestion; above that, a limit far over the calls in
/// flight starts protecting before they reach it).
/// </summary>
/// <remarks>
/// Congested windows move the average ten times more slowly, so an overload of a minute barely shifts it, while a
/// lasting change in what calls cost (a heavier mix, a slower disk) is learned within minutes instead of pinning the
/// limit at its floor. A server that starts already overloaded learns a congested time and shrinks only once load
/// eases. Thread safety: <see cref="Record"/> is called concurrently; one caller at a time closes a window.
/// </remarks>
internal sealed class AdaptiveConcurrencyLimit(int min, int max, double tolerance, int initial, long timestampFrequency)
{
    public static readonly TimeSpan WindowLength = TimeSpan.FromMilliseconds(100);
    public const int MinWindowSamples = 10;

    private const double Smoothing = 0.2;
    private const double MinGradient = 0.5;
    private const int WarmupWindows = 10;
    private const int BaselineWindows = 600;
    private const int CongestedBaselineWindows = 6000;

    private readonly Lock _window = new();
    private readonly long _windowTicks = (long)(WindowLength.TotalSeconds * timestampFrequency);
    private long _windowStart = long.MinValue;
    private long _windowElapsedTicks;
    private int _windowSamples;
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
        Interlocked.Add(ref _windowElapsedTicks, elapsedTicks);
        var samples = Interlocked.Increment(ref _windowSamples);
        InterlockedMax(ref _windowMaxRunning, running);

        var start = Volatile.Read(ref _windowStart);
        if (start == long.MinValue)
        {
            Interlocked.CompareExchange(ref _windowStart, now, long.MinValue);
            return false;
        }

        if (now - start < _windowTicks || samples < MinWindowSamples || !_window.TryEnter())
        {
            return false;
        }

        try
        {
            if (Volatile.Read(ref _windowStart) != start)
            {
                return false;
            }

            var count = Interlocked.Exchange(ref _windowSamples, 0);
            var total = Interlocked.Exchange(ref _windowElapsedTicks, 0);
            var maxRunning = Interlocked.Exchange(ref _windowMaxRunning, 0);
            Volatile.Write(ref _windowStart, now);
            if (count > 0)
            {
                Update((double)total / count, maxRunning);
            }

            return true;
        }
        finally
        {
            _window.Exit();
        }
    }

    /// <summary>Closes a window whose calls averaged <paramref name="averageTicks"/> with at most <paramref name="maxRunning"/> running at once.</summary>
    internal void Update(double averageTicks, int maxRunning)
    {
        averageTicks = Math.Max(averageTicks, 1);
        var congested = _windows >= WarmupWindows && averageTicks > tolerance * _baselineTicks;
        var baseline = ++_windows <= WarmupWindows
            ? (_windows == 1 ? averageTicks : Math.Min(_baselineTicks, averageTicks))
            : _baselineTicks + ((averageTicks - _baselineTicks) * 2 / ((congested ? CongestedBaselineWindows : BaselineWindows) + 1));

        // Load just dropped: let the baseline come down faster than the average alone would.
        if (baseline / averageTicks > 2)
        {
            baseline *= 0.95;
        }

        Volatile.Write(ref _baselineTicks, baseline);
        var gradient = Math.Clamp(tolerance * baseline / averageTicks, MinGradient, 1.0);
        var target = (_limit * gradient) + Math.Sqrt(_limit);
        if (maxRunning < (target >= _limit ? _limit / 2 : _limit / 4))
        {
            return;
        }

        Volatile.Write(ref _limit, Math.Clamp((_limit * (1 - Smoothing)) + (target * Smoothing), min, max));
    }

    private static void InterlockedMax(ref int location, int value)
    {
        var current = Volatile.Read(ref location);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
