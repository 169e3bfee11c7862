using Microsoft.Extensions.Caching.Memory;

namespace GrpcMesh.Storage.Caching;

/// <summary>
/// A bounded cache of values read by key, kept exact by invalidation: every write through this process calls
/// <see cref="Invalidate"/> after it committed, and writes through other processes arrive the same way from a
/// change feed (PostgreSQL LISTEN/NOTIFY). While that feed is down the cache is <see cref="Suspend">suspended</see>:
/// every read goes to the store until <see cref="Resume"/>.
/// <para>
/// A load that races a write must not put the value it read before the write into the cache: each invalidation bumps
/// an epoch, a load remembers the epoch it started in, and its value is kept only if no invalidation happened
/// meanwhile (checked again after the insert, so an invalidation between the check and the insert still wins).
/// </para>
/// </summary>
public sealed class ReadCache<TValue> : IReadCacheState, IDisposable
    where TValue : class
{
    private readonly MemoryCache _entries;
    private readonly TimeSpan _maxAge;
    private readonly ReadCacheMetrics _metrics;
    private readonly PostEvictionCallbackRegistration _onEvicted;
    private long _epoch;
    private volatile bool _serving;

    public ReadCache(string name, ReadCacheOptions options, ReadCacheMetrics metrics, bool serving = true)
    {
        Name = name;
        _entries = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.MaxEntries });
        _maxAge = options.MaxAge;
        _metrics = metrics;
        _serving = serving;
        _onEvicted = new PostEvictionCallbackRegistration
        {
            EvictionCallback = static (_, _, reason, state) => ((ReadCache<TValue>)state!).OnEvicted(reason),
            State = this,
        };
        metrics.Track(this);
    }

    public string Name { get; }

    /// <summary>False while suspended: reads bypass the cache.</summary>
    public bool IsServing => _serving;

    public int Count => _entries.Count;

    /// <summary>The cached value of <paramref name="key"/>, else what <paramref name="load"/> returns (null: not found, not cached).</summary>
    public async ValueTask<TValue?> GetOrLoadAsync(string key, Func<string, CancellationToken, Task<TValue?>> load, CancellationToken cancellationToken)
    {
        if (!_serving)
        {
            _metrics.Bypassed(Name);
            return await load(key, cancellationToken).ConfigureAwait(false);
        }

        if (_entries.TryGetValue(key, out TValue? cached))
        {
            _metrics.Hit(Name);
            return cached;
        }

        _metrics.Miss(Name);
        var epoch = Interlocked.Read(ref _epoch);
        var value = await load(key, cancellationToken).ConfigureAwait(false);
        if (value is not null && _serving && Interlocked.Read(ref _epoch) == epoch)
        {
            using (var entry = _entries.CreateEntry(key))
            {
                entry.Value = value;
                entry.Size = 1;
                entry.AbsoluteExpirationRelativeToNow = _maxAge;
                entry.PostEvictionCallbacks.Add(_onEvicted);
            }

            if (Interlocked.Read(ref _epoch) != epoch)
            {
                _entries.Remove(key);
            }
        }

        return value;
    }

    /// <summary>Drops <paramref name="key"/>; call after the write that changed it committed (or may have).</summary>
    public void Invalidate(string key)
    {
        Interlocked.Increment(ref _epoch);
        _entries.Remove(key);
    }

    /// <summary>Drops everything (a write whose key is not known, or a change feed that may have missed changes).</summary>
    public void InvalidateAll()
    {
        Interlocked.Increment(ref _epoch);
        _entries.Clear();
    }

    /// <summary>The change feed is down: stop serving from memory and forget everything.</summary>
    public void Suspend()
    {
        _serving = false;
        InvalidateAll();
    }

    /// <summary>The change feed is up again: start from empty (changes made while it was down were never announced).</summary>
    public void Resume()
    {
        InvalidateAll();
        _serving = true;
    }

    public void Dispose()
    {
        _metrics.Untrack(this);
        _entries.Dispose();
    }

    private void OnEvicted(EvictionReason reason)
    {
        if (reason is EvictionReason.Capacity or EvictionReason.Expired)
        {
            _metrics.Evicted(Name, reason == EvictionReason.Capacity ? "capacity" : "expired");
        }
    }
}
