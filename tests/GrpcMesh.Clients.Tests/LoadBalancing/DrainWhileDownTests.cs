using GrpcMesh.Clients.Balancing;
using GrpcMesh.Clients.Tests.Replicas;
using GrpcMesh.Testing;

namespace GrpcMesh.Clients.Tests.LoadBalancing;

public sealed class DrainWhileDownTests(ITestOutputHelper output)
{
    /// <summary>
    /// Bound on the time from the health flip to the last call reaching the draining replica, with the shipped health-check
    /// defaults. The Watch push itself takes a few milliseconds on loopback; the rest of the 250 ms is margin for a loaded
    /// machine (thread-pool delays between the push, the table and the calls already picked).
    /// </summary>
    private static readonly TimeSpan DrainDetectionBound = TimeSpan.FromMilliseconds(250);

    [Fact(Timeout = 60_000)]
    public async Task GetUser_ReplicaDrainsWhileAnotherIsDownAndEjected_NoCallReachesItOnceNotServingArrives()
    {
        await using var replicas = new ReplicaSet(3);
        using var harness = Balanced.Client(replicas, o =>
        {
            o.OutlierEjection.ConsecutiveFailures = 3;
            o.OutlierEjection.BaseEjectionTime = TimeSpan.FromMinutes(1); // replica 0 stays ejected for the whole test
            o.OutlierEjection.MaxEjectionTime = TimeSpan.FromMinutes(1);
        });
        var userId = await Balanced.CreateUserAsync(harness, TestContext.Current.CancellationToken);
        await Balanced.WaitUntilAllReadyAsync(harness, replicas);
        var load = new LoadDriver(harness.Client, userId, workers: 8);
        TimeSpan lastCallAfterFlip;
        int failuresAfterFlip;
        try
        {
            await load.WaitForMoreCallsAsync(300, "before the faults");
            replicas[0].Control.Faulty = true;
            await Eventually.WaitAsync(() => Balanced.FailureEjections(harness, replicas, 0) >= 1, "replica 0 ejected (the one slot of three)", Balanced.Patience);
            await replicas.KillAsync(0);
            await Eventually.WaitAsync(() => !Balanced.IsConnected(harness, replicas, 0), "replica 0 not connected", Balanced.Patience);
            Assert.Equal(EndpointStates.Ejected, Balanced.StateOf(harness, replicas, 0));

            var failuresAtFlip = load.Failures.Count;
            var flipped = TimeProvider.System.GetTimestamp();
            replicas[2].BeginDrain();
            await Eventually.WaitAsync(() => Balanced.StateOf(harness, replicas, 2) == EndpointStates.Ejected, "the draining replica out of rotation", Balanced.Patience);
            await load.WaitForEveryWorkerAsync("attempts picked before the flip have ended");
            var attemptsWhenOut = Balanced.AttemptsTo(harness, replicas, 2);
            var callsWhenOut = replicas[2].Control.Calls;

            await load.WaitForMoreCallsAsync(600, "while the replica drains");
            Assert.Equal(attemptsWhenOut, Balanced.AttemptsTo(harness, replicas, 2));
            Assert.Equal(callsWhenOut, replicas[2].Control.Calls);
            lastCallAfterFlip = TimeSpan.FromTicks(Math.Max(0, TimeProvider.System.GetElapsedTime(flipped, replicas[2].Control.LastCallTimestamp).Ticks));
            failuresAfterFlip = load.Failures.Count - failuresAtFlip;
        }
        finally
        {
            await load.DisposeAsync();
        }

        Balanced.Report(output, $"drain while another replica is down and ejected: last call reached the draining replica " +
            $"{lastCallAfterFlip.TotalMilliseconds:0.0} ms after its health flip; {Balanced.Describe(harness, replicas, load)}");
        Assert.Equal(0, failuresAfterFlip);
        Assert.True(lastCallAfterFlip <= DrainDetectionBound, $"last call {lastCallAfterFlip.TotalMilliseconds:0.0} ms after the flip (bound {DrainDetectionBound.TotalMilliseconds} ms)");
    }
}
