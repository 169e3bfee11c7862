using GrpcMesh.LoadTest.Scenarios.Traffic;
using GrpcMesh.Testing;

namespace GrpcMesh.Bench.Tests;

public sealed class ConnectionAgeFiguresTests
{
    [Fact(Timeout = TestTimeouts.Default)]
    public Task Figures_SummaryLine_MostUnevenShareMeasuredAgainstAThird() => TestTimeouts.RunSync(() =>
    {
        var figures = ConnectionAgeScenario.Figures(
            """{"calls": [300.0, 400.0, 300.0], "connections": [10, 9, 9], "failure_count": 1, "failures": ["UNAVAILABLE: reset"], "ok": 999, "shares": [0.3, 0.4, 0.3], "window_seconds": 24.1}""");

        Assert.Equal(0.2, figures.MaxDeviationFromEven);
        Assert.Equal([300.0, 400.0, 300.0], figures.Calls);
        Assert.Equal(28, figures.Connections.Sum());
        Assert.Equal((999, 1, "UNAVAILABLE: reset"), (figures.Ok, figures.Failed, figures.FirstFailure));
        Assert.Equal(24.1, figures.WindowSeconds);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Figures_NoCallSucceeded_Throws() => TestTimeouts.RunSync(() =>
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ConnectionAgeScenario.Figures(
            """{"calls": [0.0, 0.0, 0.0], "connections": [1, 0, 0], "failure_count": 50, "failures": ["UNAVAILABLE: down"], "ok": 0, "shares": [0, 0, 0], "window_seconds": 3.0}"""));

        Assert.StartsWith("no call succeeded", ex.Message, StringComparison.Ordinal);
    }, TestContext.Current.CancellationToken);
}
