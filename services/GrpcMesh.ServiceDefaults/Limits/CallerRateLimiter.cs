using System.Collections.Concurrent;

namespace GrpcMesh.ServiceDefaults.Limits;

/// <summary>
/// Per-caller token buckets with bounded memory: at <see cref="LimitsOptions.MaxTrackedCallers"/>, buckets idle long
/// enough to be full again are dropped (forgetting them changes nothing); if none is, new callers share one overflow
/// bucket rather than growing the table.
/// </summary>
internal sealed class CallerRateLimiter
{
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly double _ticksPerPermit;
    private readonly int _burst;
    private readonly int _maxCallers;
    private readonly long _refillTicks;
    private readonly TokenBucket _overflow;
    private readonly Lock _sweep = new();

    public CallerRateLimiter(LimitsOptions options, TimeProvider time)
    {
        _time = time;
        Enabled = options.PermitsPerSecond > 0;
        _ticksPerPermit = Enabled ? time.TimestampFrequency / options.PermitsPerSecond : 0;
        _burst = options.Burst;
        _maxCallers = options.MaxTrackedCallers;
        _refillTicks = (long)(_ticksPerPermit * _burst);
        _overflow = new TokenBucket(_burst, time.GetTimestamp());
    }

    public bool Enabled { get; }

    public int TrackedCallers => _buckets.Count;

    /// <summary>Takes a permit for <paramref name="caller"/>; false with the time until the next one when over the limit.</summary>
    public bool TryAcquire(string caller, out TimeSpan retryAfter)
    {
        var now = _time.GetTimestamp();
        var bucket = _buckets.TryGetValue(caller, out var existing) ? existing : Track(caller, now);
        if (bucket.TryTake(now, _ticksPerPermit, out var wait))
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = TimeSpan.FromSeconds(Math.Max(wait, 1) / (double)_time.TimestampFrequency);
        return false;
    }

    private TokenBucket Track(string caller, long now)
    {
        if (_buckets.Count >= _maxCallers)
        {
            lock (_sweep)
            {
                foreach (var (key, bucket) in _buckets)
                {
                    if (now - bucket.LastUsed >= _refillTicks)
                    {
                        _buckets.TryRemove(key, out _);
                    }
                }
            }

            if (_buckets.Count >= _maxCallers)
            {
                return _overflow;
            }
        }

        return _buckets.GetOrAdd(caller, static (_, state) => new TokenBucket(state.Burst, state.Now), (Burst: (double)_burst, Now: now));
    }
}
