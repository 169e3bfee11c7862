using System.Diagnostics.Metrics;
using GrpcMesh.Storage.Caching;
using GrpcMesh.Testing;

namespace GrpcMesh.Storage.Tests;

public sealed class ReadCacheTests : IDisposable
{
    private readonly SingleMeterFactory _meters = new();
    private readonly MetricRecorder _metrics;
    private readonly Dictionary<string, string> _store = new(StringComparer.Ordinal) { ["a"] = "a1", ["b"] = "b1" };
    private int _loads;

    public ReadCacheTests() => _metrics = new MetricRecorder(_meters.Meter);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetOrLoad_SecondRead_FromMemoryAndCounted()
    {
        using var cache = NewCache();

        Assert.Equal("a1", await cache.GetOrLoadAsync("a", LoadAsync, Ct));
        _store["a"] = "changed behind the cache's back";
        Assert.Equal("a1", await cache.GetOrLoadAsync("a", LoadAsync, Ct));

        Assert.Equal(1, _loads);
        Assert.Equal(1, _metrics.Sum("grpcmesh.cache.hits", ("cache", "test")));
        Assert.Equal(1, _metrics.Sum("grpcmesh.cache.misses", ("cache", "test")));
        Assert.Equal(1, Observed("grpcmesh.cache.entries"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetOrLoad_NotFound_NotCached()
    {
        using var cache = NewCache();

        Assert.Null(await cache.GetOrLoadAsync("missing", LoadAsync, Ct));
        _store["missing"] = "created";

        Assert.Equal("created", await cache.GetOrLoadAsync("missing", LoadAsync, Ct));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Invalidate_NextReadLoadsAgain_OtherKeysStay()
    {
        using var cache = NewCache();
        await cache.GetOrLoadAsync("a", LoadAsync, Ct);
        await cache.GetOrLoadAsync("b", LoadAsync, Ct);
        _store["a"] = "a2";
        _store["b"] = "b2";

        cache.Invalidate("a");

        Assert.Equal("a2", await cache.GetOrLoadAsync("a", LoadAsync, Ct));
        Assert.Equal("b1", await cache.GetOrLoadAsync("b", LoadAsync, Ct));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetOrLoad_InvalidatedWhileLoading_StaleValueReturnedButNotKept()
    {
        using var cache = NewCache();
        var loading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var read = cache.GetOrLoadAsync("a", async (key, ct) =>
        {
            var before = _store[key]; // read before the write commits...
            loading.SetResult();
            await release.Task.WaitAsync(ct);
            return before;
        }, Ct).AsTask();
        await loading.Task;

        _store["a"] = "a2"; // ...the write commits and invalidates
        cache.Invalidate("a");
        release.SetResult();

        Assert.Equal("a1", await read);
        Assert.Equal("a2", await cache.GetOrLoadAsync("a", LoadAsync, Ct));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Suspend_ReadsBypassUntilResume_ThenCachesFromEmpty()
    {
        using var cache = NewCache();
        await cache.GetOrLoadAsync("a", LoadAsync, Ct);

        cache.Suspend();
        _store["a"] = "a2";
        Assert.Equal("a2", await cache.GetOrLoadAsync("a", LoadAsync, Ct));
        Assert.Equal("a2", await cache.GetOrLoadAsync("a", LoadAsync, Ct));
        Assert.Equal(0, Observed("grpcmesh.cache.serving"));
        Assert.Equal(2, _metrics.Sum("grpcmesh.cache.misses", ("bypassed", true)));

        cache.Resume();
        Assert.Equal("a2", await cache.GetOrLoadAsync("a", LoadAsync, Ct));
        Assert.Equal("a2", await cache.GetOrLoadAsync("a", LoadAsync, Ct));

        Assert.Equal(4, _loads); // first read, two bypassed, one after resume
        Assert.Equal(1, Observed("grpcmesh.cache.serving"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task MaxEntries_MoreKeysThanFit_EvictsToTheBoundAndKeepsAnsweringCorrectly()
    {
        using var cache = NewCache(maxEntries: 10);
        for (var i = 0; i < 200; i++)
        {
            _store["k" + i] = "v" + i;
            Assert.Equal("v" + i, await cache.GetOrLoadAsync("k" + i, LoadAsync, Ct));
            Assert.True(cache.Count <= 10, $"{cache.Count} entries held with MaxEntries 10");
        }

        for (var i = 0; i < 200; i++)
        {
            Assert.Equal("v" + i, await cache.GetOrLoadAsync("k" + i, LoadAsync, Ct));
        }

        // Eviction callbacks run on the thread pool, after the fact.
        await Eventually.WaitAsync(() => _metrics.Sum("grpcmesh.cache.evictions", ("cache", "test"), ("reason", "capacity")) >= 200 - 10,
            "at least 190 of 200 keys through a 10-entry cache counted as refused or evicted for capacity");
        Assert.True(_metrics.Sum("grpcmesh.cache.misses") > 200, "evicted keys are loaded again");
    }

    private ReadCache<string> NewCache(int maxEntries = 100) =>
        new("test", new ReadCacheOptions { MaxEntries = maxEntries }, new ReadCacheMetrics(_meters));

    private Task<string?> LoadAsync(string key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _loads);
        return Task.FromResult(_store.GetValueOrDefault(key));
    }

    private int Observed(string gauge) => _metrics.Observe(gauge).Single(m => Equals(m.Tags["cache"], "test")).Value;

    public void Dispose()
    {
        _metrics.Dispose();
        _meters.Dispose();
    }

    /// <summary>One meter of this test's own, so parallel tests do not count each other's reads.</summary>
    private sealed class SingleMeterFactory : IMeterFactory
    {
        public Meter Meter { get; } = new(ReadCacheMetrics.MeterName);

        public Meter Create(MeterOptions options) => Meter;

        public void Dispose() => Meter.Dispose();
    }
}
