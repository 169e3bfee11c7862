using GrpcMesh.Clients.Balancing;
using Grpc.Core;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Statuses;
using GrpcMesh.Clients.Telemetry;
using GrpcMesh.Clients.Tests.Fakes;
using GrpcMesh.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GrpcMesh.Clients.Tests.Unit;

public sealed class EndpointTableTests : IDisposable
{
    private const string A = "10.0.0.1:5001";
    private const string B = "10.0.0.2:5001";
    private const string C = "10.0.0.3:5001";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly GrpcMeshClientTelemetry _telemetry = new();
    private readonly MetricRecorder _metrics;
    private readonly GrpcMeshOutlierEjectionOptions _options = new()
    {
        ConsecutiveFailures = 3,
        BaseEjectionTime = TimeSpan.FromSeconds(10),
        MaxEjectionTime = TimeSpan.FromSeconds(35),
        MaxEjectionPercent = 50,
    };

    public EndpointTableTests() => _metrics = new MetricRecorder(_telemetry.Meter);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task ReportAttempt_ConsecutiveFailuresReached_EjectedForBaseTimeThenReadmitted() => TestTimeouts.RunSync(() =>
    {
        using var table = Table(A, B, C);

        Fail(table, A, 2);
        Assert.True(Admitted(table, A));
        Fail(table, A, 1);
        Assert.False(Admitted(table, A));

        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.False(Admitted(table, A));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.True(Admitted(table, A));
        Assert.Equal(1, _metrics.Sum("grpcmesh.client.endpoint.ejections", ("endpoint", A), ("reason", "failures")));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task ReportAttempt_SuccessBetweenFailures_CountStartsOver() => TestTimeouts.RunSync(() =>
    {
        using var table = Table(A, B, C);

        Fail(table, A, 2);
        table.ReportAttempt(A, StatusKind.Success);
        Fail(table, A, 2);

        Assert.True(Admitted(table, A));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task ReportAttempt_CancelledAttempts_NeitherFailNorReset() => TestTimeouts.RunSync(() =>
    {
        using var table = Table(A, B, C);

        Fail(table, A, 2);
        table.ReportAttempt(A, StatusKind.Cancelled);
        Assert.True(Admitted(table, A));
        Fail(table, A, 1);

        Assert.False(Admitted(table, A));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task ReportAttempt_EjectedAgainRightAfterReadmission_BackOffDoublesUpToTheCap() => TestTimeouts.RunSync(() =>
    {
        using var table = Table(A, B, C);
        var lengths = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            Fail(table, A, 3);
            lengths.Add(EjectionLength(table, A));
            _time.Advance(lengths[^1]);
        }

        Assert.Equal([TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(35), TimeSpan.FromSeconds(35)], lengths);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task ReportAttempt_HealthyForAWhileAfterEjection_BackOffDecaysOneStepPerBaseTime() => TestTimeouts.RunSync(() =>
    {
        using var table = Table(A, B, C);
        Fail(table, A, 3);
        _time.Advance(TimeSpan.FromSeconds(10));
        Fail(table, A, 3); // level 2: 20 s
        _time.Advance(TimeSpan.FromSeconds(20));

        _time.Advance(TimeSpan.FromSeconds(10)); // one base time admitted: level 2 → 1
        Fail(table, A, 3);
        Assert.Equal(TimeSpan.FromSeconds(20), EjectionLength(table, A));

        _time.Advance(TimeSpan.FromSeconds(20) + TimeSpan.FromMinutes(5)); // long healthy: back to the first step
        Fail(table, A, 3);
        Assert.Equal(TimeSpan.FromSeconds(10), EjectionLength(table, A));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task ReportAttempt_SecondOutlierOfThree_NotEjectedBeyondTheCap() => TestTimeouts.RunSync(() =>
    {
        using var table = Table(A, B, C);

        Fail(table, A, 3);
        Fail(table, B, 3);

        Assert.False(Admitted(table, A));
        Assert.True(Admitted(table, B));

        _time.Advance(TimeSpan.FromSeconds(10)); // A back: room for B on its next failure
        Fail(table, B, 1);
        Assert.False(Admitted(table, B));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task ReportAttempt_OnlyEndpoint_NeverEjected() => TestTimeouts.RunSync(() =>
    {
        using var table = Table(A);

        Fail(table, A, 10);

        Assert.True(Admitted(table, A));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task ReportAttempt_EjectionDisabled_NeverEjected() => TestTimeouts.RunSync(() =>
    {
        _options.Enabled = false;
        using var table = Table(A, B, C);

        Fail(table, A, 10);

        Assert.True(Admitted(table, A));
        Assert.Equal(10, _metrics.Sum("grpcmesh.client.endpoint.attempts", ("endpoint", A), ("outcome", "failure")));
    }, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(1, 50, 0)]
    [InlineData(2, 50, 1)]
    [InlineData(3, 50, 1)]
    [InlineData(4, 50, 2)]
    [InlineData(3, 10, 1)]
    [InlineData(3, 100, 2)]
    [InlineData(10, 30, 3)]
    [InlineData(5, 0, 0)]
    public Task MaxEjectable_ConnectedEndpointsAndPercent_AtLeastOneNeverAll(int total, int percent, int expected) => TestTimeouts.RunSync(() =>
        Assert.Equal(expected, EndpointTable.MaxEjectable(total, percent)), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task ReportHealth_NotServing_OutUntilServingAgain() => TestTimeouts.RunSync(() =>
    {
        using var table = Table(A, B, C);

        table.ReportHealth(B, healthy: false);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.False(Admitted(table, B));

        table.ReportHealth(B, healthy: true);
        Assert.True(Admitted(table, B));
        Assert.Equal(1, _metrics.Sum("grpcmesh.client.endpoint.ejections", ("endpoint", B), ("reason", "health")));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task ReportHealth_UnhealthyWhileAnotherIsEjected_OutAtOnceWhateverTheCap() => TestTimeouts.RunSync(() =>
    {
        using var table = Table(A, B, C);
        Fail(table, A, 3);

        table.ReportHealth(B, healthy: false);

        Assert.False(Admitted(table, A));
        Assert.False(Admitted(table, B));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task ReportAttempt_AnotherEndpointUnhealthy_TakesNoEjectionSlot() => TestTimeouts.RunSync(() =>
    {
        using var table = Table(A, B, C);
        table.ReportHealth(A, healthy: false);

        Fail(table, B, 3);

        Assert.False(Admitted(table, B));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task ReportAttempt_EjectedEndpointNotConnected_FreesItsSlot() => TestTimeouts.RunSync(() =>
    {
        using var table = Table(A, B, C);
        Fail(table, A, 3);
        Fail(table, B, 3);
        Assert.True(Admitted(table, B)); // the cap: one of three connected

        table.SetConnectivity(A, ConnectivityState.TransientFailure); // A is down: one of two connected may go
        Fail(table, B, 1);

        Assert.False(Admitted(table, B));
        Assert.True(Admitted(table, C));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task ReportAttempt_NotConnectedEndpointsMakeNoRoom_CapOfTheConnectedOnes() => TestTimeouts.RunSync(() =>
    {
        using var table = Table(A, B, C);
        table.SetConnectivity(A, ConnectivityState.Connecting);
        table.SetConnectivity(B, ConnectivityState.TransientFailure);

        Fail(table, C, 3);

        Assert.True(Admitted(table, C)); // the only connected endpoint is never ejected
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task ReportAttempt_ConsecutiveTimeouts_EjectedAsASlowEndpoint() => TestTimeouts.RunSync(() =>
    {
        using var table = Table(A, B, C);

        for (var i = 0; i < 3; i++)
        {
            table.ReportAttempt(A, StatusKind.Timeout);
        }

        Assert.False(Admitted(table, A));
        Assert.Equal(3, _metrics.Sum("grpcmesh.client.endpoint.attempts", ("endpoint", A), ("outcome", "failure")));
    }, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(StatusKind.ServerError)]
    [InlineData(StatusKind.Refusal)]
    [InlineData(StatusKind.Overload)]
    public Task ReportAttempt_EndpointAnswered_CountsAsSuccess(StatusKind kind) => TestTimeouts.RunSync(() =>
    {
        using var table = Table(A, B, C);

        Fail(table, A, 2);
        table.ReportAttempt(A, kind);
        Fail(table, A, 2);

        Assert.True(Admitted(table, A));
        Assert.Equal(1, _metrics.Sum("grpcmesh.client.endpoint.attempts", ("endpoint", A), ("outcome", "success")));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task ReportHealth_HealthyAgainWhileEjected_StaysOutUntilTheEjectionEnds() => TestTimeouts.RunSync(() =>
    {
        using var table = Table(A, B, C);
        Fail(table, A, 3);
        table.ReportHealth(A, healthy: false);

        table.ReportHealth(A, healthy: true);

        Assert.False(Admitted(table, A)); // still serving its outlier ejection
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(Admitted(table, A));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task SetEndpoints_EndpointRemovedAndAddedBack_StartsFresh() => TestTimeouts.RunSync(() =>
    {
        using var table = Table(A, B, C);
        Fail(table, A, 3);

        table.SetEndpoints([B, C]);
        Assert.DoesNotContain(table.Endpoints, e => e.Endpoint == A);
        table.SetEndpoints([A, B, C]);

        Assert.True(Admitted(table, A));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task States_ReadyEjectedAndUnconnected_ReportedPerEndpoint() => TestTimeouts.RunSync(() =>
    {
        using var table = Table(A, B, C);
        table.SetConnectivity(C, ConnectivityState.TransientFailure);
        Fail(table, B, 3);

        var gauge = _metrics.Observe("grpcmesh.client.endpoint.state");

        Assert.Equal(EndpointStates.Ready, _metrics.EndpointState("static:///test", A));
        Assert.Equal(EndpointStates.Ejected, _metrics.EndpointState("static:///test", B));
        Assert.Equal(EndpointStates.Unavailable, _metrics.EndpointState("static:///test", C));
        Assert.Equal(9, gauge.Count); // three states per endpoint, one of them 1
        Assert.Equal(3, gauge.Sum(m => m.Value));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Dispose_Table_NoLongerReportedByTheGauge() => TestTimeouts.RunSync(() =>
    {
        var table = Table(A);

        table.Dispose();

        Assert.Empty(_metrics.Observe("grpcmesh.client.endpoint.state"));
    }, TestContext.Current.CancellationToken);

    public void Dispose()
    {
        _metrics.Dispose();
        _telemetry.Dispose();
    }

    private EndpointTable Table(params string[] endpoints)
    {
        var table = new EndpointTable("static:///test", _options, _time, _telemetry, NullLogger.Instance);
        table.SetEndpoints(endpoints);
        foreach (var endpoint in endpoints)
        {
            table.SetConnectivity(endpoint, ConnectivityState.Ready);
        }

        return table;
    }

    private static void Fail(EndpointTable table, string endpoint, int times)
    {
        for (var i = 0; i < times; i++)
        {
            table.ReportAttempt(endpoint, StatusKind.Unavailable);
        }
    }

    private bool Admitted(EndpointTable table, string endpoint) => table.Get(endpoint).IsAdmitted(_time.GetUtcNow().UtcTicks);

    private TimeSpan EjectionLength(EndpointTable table, string endpoint) =>
        TimeSpan.FromTicks(table.Get(endpoint).EjectedUntilTicks - _time.GetUtcNow().UtcTicks);
}
