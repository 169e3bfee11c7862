using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace GrpcMesh.Storage.Caching;

/// <summary>
/// Meter <c>GrpcMesh.Storage</c>: counters <c>grpcmesh.cache.hits</c>, <c>grpcmesh.cache.misses</c> (a read that went to the
/// store; <c>bypassed</c> = true while the cache was suspended) and <c>grpcmesh.cache.evictions</c> (reason = capacity |
/// expired), gauges <c>grpcmesh.cache.entries</c> and <c>grpcmesh.cache.serving</c> (1, or 0 while suspended); all tagged
/// with <c>cache</c>, the cache's name.
/// </summary>
public sealed class ReadCacheMetrics
{
    public const string MeterName = "GrpcMesh.Storage";

    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _evictions;
    private readonly ConcurrentDictionary<IReadCacheState, byte> _caches = new();

    public ReadCacheMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _hits = meter.CreateCounter<long>("grpcmesh.cache.hits", "{read}", "Reads answered from the cache.");
        _misses = meter.CreateCounter<long>("grpcmesh.cache.misses", "{read}", "Reads that went to the store.");
        _evictions = meter.CreateCounter<long>("grpcmesh.cache.evictions", "{entry}", "Entries dropped for capacity or age (invalidations are not counted).");
        meter.CreateObservableGauge("grpcmesh.cache.entries", () => Observe(c => c.Count), "{entry}", "Entries held.");
        meter.CreateObservableGauge("grpcmesh.cache.serving", () => Observe(c => c.IsServing ? 1 : 0), null, "1 while reads are served from the cache, 0 while it is suspended.");
    }

    internal void Hit(string cache) => _hits.Add(1, new KeyValuePair<string, object?>("cache", cache));

    internal void Miss(string cache) => _misses.Add(1, new("cache", cache), new("bypassed", false));

    internal void Bypassed(string cache) => _misses.Add(1, new("cache", cache), new("bypassed", true));

    internal void Evicted(string cache, string reason) => _evictions.Add(1, new("cache", cache), new("reason", reason));

    internal void Track(IReadCacheState cache) => _caches[cache] = 0;

    internal void Untrack(IReadCacheState cache) => _caches.TryRemove(cache, out _);

    private IEnumerable<Measurement<int>> Observe(Func<IReadCacheState, int> value) =>
        _caches.Keys.Select(c => new Measurement<int>(value(c), new TagList { { "cache", c.Name } }));
}

/// <summary>What the gauges read of a cache, whatever its value type.</summary>
internal interface IReadCacheState
{
    string Name { get; }

    int Count { get; }

    bool IsServing { get; }
}
