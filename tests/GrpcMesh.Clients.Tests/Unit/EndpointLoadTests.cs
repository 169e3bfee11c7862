using GrpcMesh.Clients.Balancing;
using GrpcMesh.Testing;

namespace GrpcMesh.Clients.Tests.Unit;

public sealed class EndpointLoadTests
{
    private static readonly long Tau = TimeSpan.FromSeconds(10).Ticks;

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Cost_Unmeasured_CountsOneMillisecondPerCallInFlightPlusOne() => TestTimeouts.RunSync(() =>
    {
        var load = new EndpointLoad();
        load.Begin();
        load.Begin();

        Assert.Equal(3 * EndpointLoad.UnmeasuredLatencyMs, load.Cost(1_000, Tau));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task End_SlowerSample_ReplacesTheAverageAtOnce_FasterSampleMovesItByTheTimeWeight() => TestTimeouts.RunSync(() =>
    {
        var load = new EndpointLoad();
        load.Begin();
        load.End(2, nowTicks: 1_000, Tau);
        load.Begin();
        load.End(50, nowTicks: 1_000, Tau);

        Assert.Equal(50, load.Cost(1_000, Tau), 6); // peak: no averaging upwards

        load.Begin();
        load.End(2, nowTicks: 1_000 + Tau, Tau);
        // Decayed to 50/e over τ, then moved towards 2 by (1 − 1/e).
        var decayed = 50 / Math.E;
        Assert.Equal(decayed + ((2 - decayed) * (1 - (1 / Math.E))), load.Cost(1_000 + Tau, Tau), 6);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Cost_NoSamplesForAWhile_DecaysSoAnAvoidedEndpointIsTriedAgain() => TestTimeouts.RunSync(() =>
    {
        var load = new EndpointLoad();
        load.Begin();
        load.End(50, nowTicks: 1_000, Tau);

        Assert.Equal(50 / Math.E, load.Cost(1_000 + Tau, Tau), 6);
        Assert.True(load.Cost(1_000 + (4 * Tau), Tau) < 1, "after 4 τ a 50 ms average is below 1 ms");
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task End_WithoutSample_OnlyEndsTheCallInFlight() => TestTimeouts.RunSync(() =>
    {
        var load = new EndpointLoad();
        load.Begin();
        load.End(20, nowTicks: 1_000, Tau);
        load.Begin();
        load.Begin();
        load.End(null, nowTicks: 1_000, Tau);

        Assert.Equal(1, load.InFlight);
        Assert.Equal(20 * 2, load.Cost(1_000, Tau), 6);
    }, TestContext.Current.CancellationToken);
}
