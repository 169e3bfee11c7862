namespace GrpcMesh.ServiceDefaults.Limits;

/// <summary>One caller's token bucket: refilled continuously at the configured rate, capped at the burst.</summary>
internal sealed class TokenBucket(double burst, long now)
{
    private readonly Lock _lock = new();
    private readonly double _burst = burst;
    private double _tokens = burst;
    private long _updated = now;

    /// <summary>Timestamp of the last take; a bucket idle for burst/rate seconds is full and can be forgotten.</summary>
    public long LastUsed => Volatile.Read(ref _updated);

    /// <summary>Takes one permit; when empty, returns how long until one is available.</summary>
    public bool TryTake(long now, double ticksPerPermit, out long waitTicks)
    {
        lock (_lock)
        {
            if (now > _updated)
            {
                _tokens = Math.Min(_burst, _tokens + ((now - _updated) / ticksPerPermit));
                _updated = now;
            }

            if (_tokens >= 1)
            {
                _tokens -= 1;
                waitTicks = 0;
                return true;
            }

            waitTicks = (long)Math.Ceiling((1 - _tokens) * ticksPerPermit);
            return false;
        }
    }
}
