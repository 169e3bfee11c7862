using GrpcMesh.Clients.Balancing;
using Grpc.Core;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Statuses;
using GrpcMesh.Clients.Telemetry;
using GrpcMesh.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GrpcMesh.Clients.Tests.Unit;

public sealed class EndpointRotationTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly GrpcMeshClientTelemetry _telemetry = new();
    private readonly EndpointTable _table;
    private readonly EndpointRotation _rotation;

    public EndpointRotationTests()
    {
        var options = new GrpcMeshOutlierEjectionOptions { ConsecutiveFailures = 1, BaseEjectionTime = TimeSpan.FromSeconds(10), MaxEjectionPercent = 100 };
        _table = new EndpointTable("static:///test", options, _time, _telemetry, NullLogger.Instance);
        _table.SetEndpoints(["a:1", "b:1", "c:1"]);
        Connect(_table, "a:1", "b:1", "c:1");
        _rotation = new EndpointRotation([_table.Get("a:1"), _table.Get("b:1"), _table.Get("c:1")], _table, start: 0);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Next_AllAdmitted_EachEndpointInTurn() => TestTimeouts.RunSync(() =>
    {
        Assert.Equal(["b:1", "c:1", "a:1", "b:1", "c:1", "a:1"], Picks(6));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Next_EndpointEjected_SkippedEvenlyUntilItsEjectionEnds() => TestTimeouts.RunSync(() =>
    {
        _table.ReportAttempt("b:1", StatusKind.Unavailable);

        var whileEjected = Picks(6);
        _time.Advance(TimeSpan.FromSeconds(10));
        var afterwards = Picks(300);

        Assert.DoesNotContain("b:1", whileEjected);
        Assert.Equal(3, whileEjected.Count(p => p == "a:1"));
        Assert.Equal(100, afterwards.Count(p => p == "b:1"));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Next_HealthEjectedThenHealthy_ComesBackAtOnce() => TestTimeouts.RunSync(() =>
    {
        _table.ReportHealth("c:1", healthy: false);
        Assert.DoesNotContain("c:1", Picks(6));

        _table.ReportHealth("c:1", healthy: true);

        Assert.Contains("c:1", Picks(3));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Next_EveryEndpointUnhealthy_UsesThemAllRatherThanFailing() => TestTimeouts.RunSync(() =>
    {
        foreach (var endpoint in new[] { "a:1", "b:1", "c:1" })
        {
            _table.ReportHealth(endpoint, healthy: false);
        }

        Assert.Equal(["b:1", "c:1", "a:1"], Picks(3));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Next_HealthyOnesAllEjected_UsesTheHealthyOnesNotTheUnhealthy() => TestTimeouts.RunSync(() =>
    {
        _table.ReportHealth("a:1", healthy: false);
        _table.ReportAttempt("b:1", StatusKind.Unavailable);
        _table.ReportAttempt("c:1", StatusKind.Unavailable);

        var picks = Picks(6);

        Assert.DoesNotContain("a:1", picks);
        Assert.Equal(3, picks.Count(p => p == "b:1"));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Next_TwoOfThreeUnhealthyUnderAFiftyPercentCap_BothOutOfRotation() => TestTimeouts.RunSync(() =>
    {
        using var table = new EndpointTable("static:///capped", new GrpcMeshOutlierEjectionOptions { MaxEjectionPercent = 50 }, _time, _telemetry, NullLogger.Instance);
        table.SetEndpoints(["a:1", "b:1", "c:1"]);
        Connect(table, "a:1", "b:1", "c:1");
        var rotation = new EndpointRotation([table.Get("a:1"), table.Get("b:1"), table.Get("c:1")], table, start: 0);

        table.ReportHealth("a:1", healthy: false);
        table.ReportHealth("b:1", healthy: false);

        var now = _time.GetUtcNow().UtcTicks;
        Assert.All(Enumerable.Range(0, 6), _ => Assert.Equal("c:1", rotation[rotation.Next(now, avoid: null)].Endpoint));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Next_OnlyConnectedEndpointEjectedWhileOthersAreDown_StillPicked() => TestTimeouts.RunSync(() =>
    {
        using var table = new EndpointTable("static:///other", new GrpcMeshOutlierEjectionOptions { ConsecutiveFailures = 1 }, _time, _telemetry, NullLogger.Instance);
        table.SetEndpoints(["a:1", "b:1", "c:1"]);
        Connect(table, "a:1"); // b and c are down: a alone is connected, so the cap lets nothing be ejected
        table.ReportAttempt("a:1", StatusKind.Unavailable);
        var rotation = new EndpointRotation([table.Get("a:1")], table, start: 0);

        Assert.True(table.Get("a:1").IsAdmitted(_time.GetUtcNow().UtcTicks));
        Assert.Equal(0, rotation.Next(_time.GetUtcNow().UtcTicks, avoid: null));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Next_RetryAfterAttemptOnTheNextEndpoint_TakesTheOneAfter() => TestTimeouts.RunSync(() =>
    {
        var now = _time.GetUtcNow().UtcTicks;
        var first = _rotation[_rotation.Next(now, avoid: null)]; // b
        var avoided = _table.Get("c:1");

        var retry = _rotation[_rotation.Next(now, avoid: avoided)]; // c comes up, is avoided

        Assert.Equal("b:1", first.Endpoint);
        Assert.Equal("a:1", retry.Endpoint);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Next_SingleEndpointToAvoid_StillPicked() => TestTimeouts.RunSync(() =>
    {
        var rotation = new EndpointRotation([_table.Get("a:1")], _table, start: 0);

        Assert.Equal(0, rotation.Next(_time.GetUtcNow().UtcTicks, avoid: _table.Get("a:1")));
    }, TestContext.Current.CancellationToken);

    public void Dispose()
    {
        _table.Dispose();
        _telemetry.Dispose();
    }

    private static void Connect(EndpointTable table, params string[] endpoints)
    {
        foreach (var endpoint in endpoints)
        {
            table.SetConnectivity(endpoint, ConnectivityState.Ready);
        }
    }

    private List<string> Picks(int count) =>
        Enumerable.Range(0, count).Select(_ => _rotation[_rotation.Next(_time.GetUtcNow().UtcTicks, avoid: null)].Endpoint).ToList();
}
