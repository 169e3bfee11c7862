using System.Collections.Concurrent;
using GrpcMesh.Clients.Balancing;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Telemetry;
using GrpcMesh.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GrpcMesh.Clients.Tests.Unit;

public sealed class HealthMonitorTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly GrpcMeshClientTelemetry _telemetry = new();
    private readonly FakeProbe _probe = new();
    private readonly GrpcMeshHealthCheckOptions _options = new() { Interval = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromSeconds(1) };
    private readonly EndpointTable _table;
    private readonly HealthMonitor _monitor;

    public HealthMonitorTests()
    {
        // A table without a running monitor: the tests drive the rounds themselves.
        _table = new EndpointTable("static:///test", new GrpcMeshOutlierEjectionOptions(), _time, _telemetry, NullLogger.Instance);
        _monitor = new HealthMonitor(_table, _probe, _options, _time);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CheckAll_NotServingEndpoint_TakenOutAndBackWhenServing()
    {
        _table.SetEndpoints(["a:1", "b:1", "c:1"]);
        _probe.Serving["b:1"] = false;

        await _monitor.CheckAllAsync(TestContext.Current.CancellationToken);
        Assert.False(Admitted("b:1"));
        Assert.True(Admitted("a:1"));

        _probe.Serving["b:1"] = true;
        await _monitor.CheckAllAsync(TestContext.Current.CancellationToken);
        Assert.True(Admitted("b:1"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CheckAll_EndpointNeverAnswers_UnhealthyAfterTheTimeout()
    {
        _table.SetEndpoints(["a:1", "b:1"]);
        _probe.Hang.Add("a:1");

        var round = _monitor.CheckAllAsync(TestContext.Current.CancellationToken);
        await _probe.WaitForCallsAsync(2); // both checks in flight…
        Assert.False(round.IsCompleted);
        _time.Advance(_options.Timeout); // …until the timeout cancels the hanging one
        await round;

        Assert.False(Admitted("a:1"));
        Assert.True(Admitted("b:1"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Start_FirstEndpoints_ChecksAtOnceThenEachInterval()
    {
        using var table = new EndpointTable("static:///running", new GrpcMeshOutlierEjectionOptions(), _time, _telemetry, NullLogger.Instance,
            t => new HealthMonitor(t, _probe, _options, _time));
        table.SetEndpoints(["a:1", "b:1"]); // starts the monitor: the first round runs at once
        await _probe.WaitForCallsAsync(2);

        // The loop's delay may be armed a moment after the round ends: keep moving the fake clock until two more rounds ran.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_probe.Calls.Count(e => e == "a:1") < 3 || _probe.Calls.Count(e => e == "b:1") < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, $"health checks seen: {string.Join(", ", _probe.Calls)}");
            _time.Advance(_options.Interval);
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }

        Assert.Equal(["a:1", "b:1"], _probe.Calls.Distinct().Order());
    }

    public void Dispose()
    {
        _monitor.Dispose();
        _table.Dispose();
        _telemetry.Dispose();
    }

    private bool Admitted(string endpoint) => _table.Get(endpoint).IsAdmitted(_time.GetUtcNow().UtcTicks);

    private sealed class FakeProbe : IEndpointHealthProbe
    {
        public ConcurrentDictionary<string, bool> Serving { get; } = new();

        public ConcurrentBag<string> Hang { get; } = [];

        public ConcurrentQueue<string> Calls { get; } = new();

        public async Task<bool> IsServingAsync(string endpoint, CancellationToken cancellationToken)
        {
            Calls.Enqueue(endpoint);
            if (Hang.Contains(endpoint))
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return Serving.GetValueOrDefault(endpoint, true);
        }

        public async Task WaitForCallsAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Calls.Count < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"expected {count} health checks, saw {Calls.Count}");
                await Task.Delay(5);
            }
        }

        public void Forget(string endpoint)
        {
        }

        public void Dispose()
        {
        }
    }
}
