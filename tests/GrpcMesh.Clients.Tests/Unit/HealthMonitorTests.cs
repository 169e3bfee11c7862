using System.Collections.Concurrent;
using System.Threading.Channels;
using GrpcMesh.Clients.Balancing;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Telemetry;
using GrpcMesh.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GrpcMesh.Clients.Tests.Unit;

public sealed class HealthMonitorTests : IDisposable
{
    private const string A = "a:1";
    private const string B = "b:1";

    private readonly FakeTimeProvider _time = new();
    private readonly GrpcMeshClientTelemetry _telemetry = new();
    private readonly FakeProbe _probe = new();
    private readonly RecordingLogger _logger = new();
    private readonly GrpcMeshHealthCheckOptions _options = new();
    private readonly EndpointTable _table;

    public HealthMonitorTests()
    {
        _table = new EndpointTable("static:///test", new GrpcMeshOutlierEjectionOptions(), _time, _telemetry, NullLogger.Instance,
            t => new HealthMonitor(t, _probe, _options, _time, _logger));
        _table.SetEndpoints([A, B]); // starts one watch per endpoint
    }

    [Fact(Timeout = 60_000)]
    public async Task Watch_NotServingPushed_OutAtOnceAndBackWhenServing()
    {
        var cancellation = TestContext.Current.CancellationToken;
        _probe.Push(A, serving: true);
        await WaitAsync(() => _probe.Reported(A) == 1, "the first status reported", cancellation);
        Assert.True(Admitted(A));

        _probe.Push(A, serving: false);
        await WaitAsync(() => !Admitted(A), "A out of rotation", cancellation);
        Assert.True(Admitted(B));

        _probe.Push(A, serving: true);
        await WaitAsync(() => Admitted(A), "A back in rotation", cancellation);
    }

    [Fact(Timeout = 60_000)]
    public async Task Watch_ServerClosesTheStreamAfterNotServing_StaysOutUntilANewWatchSaysServing()
    {
        var cancellation = TestContext.Current.CancellationToken;
        _probe.Push(A, serving: false);
        _probe.End(A, HealthWatchEnd.Completed);
        await WaitAsync(() => !Admitted(A), "A out of rotation", cancellation);

        await WaitAdvancingAsync(() => _probe.Watches(A) >= 2, "a second watch of A after the interval", cancellation);
        Assert.False(Admitted(A));

        _probe.Push(A, serving: true);
        await WaitAsync(() => Admitted(A), "A back once the new watch says SERVING", cancellation);
    }

    [Fact(Timeout = 60_000)]
    public async Task Watch_StreamFails_UnhealthyUntilAWatchSaysServing()
    {
        var cancellation = TestContext.Current.CancellationToken;
        _probe.Push(A, serving: true);
        _probe.End(A, HealthWatchEnd.Failed);
        await WaitAsync(() => !Admitted(A), "A out after its watch failed", cancellation);

        await WaitAdvancingAsync(() => _probe.Watches(A) >= 2, "a second watch of A", cancellation);
        _probe.Push(A, serving: true);

        await WaitAsync(() => Admitted(A), "A back", cancellation);
    }

    [Fact(Timeout = 60_000)]
    public async Task Watch_NoFirstAnswer_UnhealthyAfterTheTimeout()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await WaitAsync(() => _probe.Watches(A) == 1 && _probe.Watches(B) == 1, "both watches open", cancellation);
        _probe.Push(B, serving: true);
        await WaitAsync(() => _probe.Reported(B) == 1, "B's answer reported", cancellation);

        _time.Advance(_options.Timeout);

        await WaitAsync(() => !Admitted(A), "A out: no answer within the timeout", cancellation);
        Assert.True(Admitted(B));
    }

    [Fact(Timeout = 60_000)]
    public async Task Watch_ProbeThrowsUnexpectedly_LoggedAsWarningAndHealthStillReported()
    {
        var cancellation = TestContext.Current.CancellationToken;
        _probe.Throw(A, new InvalidOperationException("probe bug"));
        await WaitAsync(() => _logger.Entries.Any(e => e.Exception is InvalidOperationException), "the failure logged", cancellation);

        await WaitAdvancingAsync(() => _probe.Watches(A) >= 2, "A watched again", cancellation);
        _probe.Push(A, serving: false);

        await WaitAsync(() => !Admitted(A), "A's NOT_SERVING reported after the failure", cancellation);
        var logged = Assert.Single(_logger.Entries, e => e.Exception is not null);
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.DoesNotContain(_logger.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact(Timeout = 60_000)]
    public async Task Watch_Unimplemented_ChecksEveryInterval()
    {
        var cancellation = TestContext.Current.CancellationToken;
        _probe.CheckServing[A] = false;
        _probe.End(A, HealthWatchEnd.Unimplemented);
        await WaitAsync(() => !Admitted(A), "A out: its Check says NOT_SERVING", cancellation);

        _probe.CheckServing[A] = true;

        await WaitAdvancingAsync(() => Admitted(A), "A back after a later Check", cancellation);
        Assert.Equal(1, _probe.Watches(A));
    }

    [Fact(Timeout = 60_000)]
    public async Task SetEndpoints_EndpointLeaves_ItsWatchStopsAndIsForgotten()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await WaitAsync(() => _probe.Watches(B) == 1, "B watched", cancellation);

        _table.SetEndpoints([A]);

        await WaitAsync(() => _probe.Forgotten.Contains(B), "B forgotten", cancellation);
        await WaitAsync(() => _probe.Cancelled(B), "B's watch cancelled", cancellation);
        Assert.DoesNotContain(_logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    public void Dispose()
    {
        _table.Dispose();
        _telemetry.Dispose();
    }

    private static Task WaitAsync(Func<bool> condition, string what, CancellationToken cancellation) =>
        Eventually.WaitAsync(() => !cancellation.IsCancellationRequested && condition(), what, TimeSpan.FromSeconds(20));

    /// <summary>Moves the fake clock one interval per poll: the monitor's delay may be armed a moment after a watch ends.</summary>
    private Task WaitAdvancingAsync(Func<bool> condition, string what, CancellationToken cancellation) => WaitAsync(() =>
    {
        if (condition())
        {
            return true;
        }

        _time.Advance(_options.Interval);
        return false;
    }, what, cancellation);

    private bool Admitted(string endpoint) => _table.Get(endpoint).IsAdmitted(_time.GetUtcNow().UtcTicks);

    /// <summary>Scripted watch streams: each endpoint's pushes are read in order by its current watch.</summary>
    private sealed class FakeProbe : IEndpointHealthProbe
    {
        private readonly ConcurrentDictionary<string, Channel<object>> _streams = new();
        private readonly ConcurrentDictionary<string, int> _watches = new();
        private readonly ConcurrentDictionary<string, bool> _cancelled = new();
        private readonly ConcurrentDictionary<string, int> _reported = new();

        public ConcurrentDictionary<string, bool> CheckServing { get; } = new();

        public ConcurrentBag<string> Forgotten { get; } = [];

        public void Push(string endpoint, bool serving) => Stream(endpoint).Writer.TryWrite(serving);

        public void End(string endpoint, HealthWatchEnd end) => Stream(endpoint).Writer.TryWrite(end);

        public void Throw(string endpoint, Exception exception) => Stream(endpoint).Writer.TryWrite(exception);

        public int Reported(string endpoint) => _reported.GetValueOrDefault(endpoint);

        public int Watches(string endpoint) => _watches.GetValueOrDefault(endpoint);

        public bool Cancelled(string endpoint) => _cancelled.ContainsKey(endpoint);

        public async Task<HealthWatchEnd> WatchAsync(string endpoint, Action<bool> report, CancellationToken cancellationToken)
        {
            _watches.AddOrUpdate(endpoint, 1, (_, n) => n + 1);
            try
            {
                while (true)
                {
                    switch (await Stream(endpoint).Reader.ReadAsync(cancellationToken))
                    {
                        case bool serving:
                            report(serving);
                            _reported.AddOrUpdate(endpoint, 1, (_, n) => n + 1);
                            break;
                        case HealthWatchEnd end:
                            return end;
                        case Exception exception:
                            throw exception;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                _cancelled[endpoint] = true;
                throw;
            }
        }

        public Task<bool> IsServingAsync(string endpoint, CancellationToken cancellationToken) =>
            Task.FromResult(CheckServing.GetValueOrDefault(endpoint, true));

        public void Forget(string endpoint) => Forgotten.Add(endpoint);

        public void Dispose()
        {
        }

        private Channel<object> Stream(string endpoint) => _streams.GetOrAdd(endpoint, _ => Channel.CreateUnbounded<object>());
    }

    private sealed class RecordingLogger : ILogger
    {
        public ConcurrentQueue<(LogLevel Level, Exception? Exception)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, exception));
    }
}
