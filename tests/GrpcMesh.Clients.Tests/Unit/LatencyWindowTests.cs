using GrpcMesh.Clients.Resilience;
using GrpcMesh.Testing;

namespace GrpcMesh.Clients.Tests.Unit;

public sealed class LatencyWindowTests
{
    [Fact(Timeout = TestTimeouts.Default)]
    public Task Percentile_NoneBeforeMinSamplesThenTheRankOfTheWindow() => TestTimeouts.RunSync(() =>
    {
        var window = new LatencyWindow(95);
        for (var ms = 1; ms < LatencyWindow.MinSamples; ms++)
        {
            window.Record(TimeSpan.FromMilliseconds(ms));
        }

        Assert.Null(window.Percentile);
        for (var ms = LatencyWindow.MinSamples; ms <= 128; ms++)
        {
            window.Record(TimeSpan.FromMilliseconds(ms));
        }

        // 1..128 ms: the 95th percentile is the 122nd smallest (ceil(0.95 × 128)).
        Assert.Equal(TimeSpan.FromMilliseconds(122), window.Percentile);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Percentile_OnlyTheLastCapacitySamplesCount() => TestTimeouts.RunSync(() =>
    {
        var window = new LatencyWindow(50);
        for (var i = 0; i < LatencyWindow.Capacity; i++)
        {
            window.Record(TimeSpan.FromSeconds(1));
        }

        for (var i = 0; i < LatencyWindow.Capacity; i++)
        {
            window.Record(TimeSpan.FromMilliseconds(10));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(10), window.Percentile);
    }, TestContext.Current.CancellationToken);
}
