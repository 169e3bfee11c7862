using GrpcMesh.Clients.Balancing;
using GrpcMesh.Clients.Tests.Replicas;
using GrpcMesh.Testing;

namespace GrpcMesh.Clients.Tests.LoadBalancing;

public sealed class ReplicaFailureTests(ITestOutputHelper output)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_ReplicaKilledMidLoad_NoCallerFailureNoAttemptsWhileDownAndReadmittedAfterRestart()
    {
        await using var replicas = new ReplicaSet(3);
        using var harness = Balanced.Client(replicas);
        var userId = await Balanced.CreateUserAsync(harness);
        await Balanced.WaitUntilAllReadyAsync(harness, replicas);
        var load = new LoadDriver(harness.Client, userId, workers: 8);
        string? stateWhileDown;
        try
        {
            await load.WaitForMoreCallsAsync(300, "before the kill");
            await replicas.KillAsync(1);
            await Eventually.WaitAsync(() => Balanced.StateOf(harness, replicas, 1) != EndpointStates.Ready, "the killed replica out of rotation", Balanced.Patience);
            stateWhileDown = Balanced.StateOf(harness, replicas, 1); // its connection is gone: unavailable, or already ejected
            await Eventually.WaitAsync(() => Balanced.StateOf(harness, replicas, 1) == EndpointStates.Ejected, "the killed replica out of rotation (its health watch fails)", Balanced.Patience);
            await load.WaitForEveryWorkerAsync("attempts picked before the kill have ended");
            var attemptsWhenOut = Balanced.AttemptsTo(harness, replicas, 1);

            await load.WaitForMoreCallsAsync(600, "while the replica is down");
            Assert.Equal(attemptsWhenOut, Balanced.AttemptsTo(harness, replicas, 1));

            var restarted = replicas.Restart(1);
            await Eventually.WaitAsync(() => restarted.Control.Calls > 0, "the restarted replica receiving calls again", Balanced.Patience);
            await Eventually.WaitAsync(() => Balanced.StateOf(harness, replicas, 1) == EndpointStates.Ready, "the restarted replica ready", Balanced.Patience);
            await load.WaitForMoreCallsAsync(300, "after re-admission");
        }
        finally
        {
            await load.DisposeAsync();
        }

        Balanced.Report(output, $"replica killed mid-load (first state seen once down: {stateWhileDown}): {Balanced.Describe(harness, replicas, load)}");
        Assert.Empty(load.Failures);
        Assert.True(replicas[1].Control.Calls > 0);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_ReplicaStartsDraining_StopsGettingCallsBeforeItExits()
    {
        await using var replicas = new ReplicaSet(3);
        using var harness = Balanced.Client(replicas);
        var userId = await Balanced.CreateUserAsync(harness);
        await Balanced.WaitUntilAllReadyAsync(harness, replicas);
        var load = new LoadDriver(harness.Client, userId, workers: 8);
        int callsWhenOut;
        try
        {
            await load.WaitForMoreCallsAsync(300, "before the drain");
            Assert.True(replicas[2].Control.Calls > 0, "the replica served calls before draining");
            replicas[2].Control.Serving = false;
            await Eventually.WaitAsync(() => Balanced.StateOf(harness, replicas, 2) == EndpointStates.Ejected, "the draining replica ejected", Balanced.Patience);
            await load.WaitForEveryWorkerAsync("attempts picked before the ejection have ended");
            callsWhenOut = replicas[2].Control.Calls;

            await load.WaitForMoreCallsAsync(600, "while the replica drains");
            Assert.Equal(callsWhenOut, replicas[2].Control.Calls);
            await replicas.StopAsync(2);
            await load.WaitForMoreCallsAsync(300, "after the replica exited");
        }
        finally
        {
            await load.DisposeAsync();
        }

        Balanced.Report(output, $"replica drained then stopped (it served {callsWhenOut} calls, none after its ejection): {Balanced.Describe(harness, replicas, load)}");
        Assert.Empty(load.Failures);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_ReplicaAnswersUnavailable_EjectedAndReadmittedWhenItRecovers()
    {
        await using var replicas = new ReplicaSet(3);
        using var harness = Balanced.Client(replicas, o =>
        {
            o.OutlierEjection.ConsecutiveFailures = 3;
            o.HealthChecks.Enabled = false; // its health check still says SERVING: only call outcomes can tell
        });
        var userId = await Balanced.CreateUserAsync(harness);
        await Balanced.WaitUntilAllReadyAsync(harness, replicas);
        var load = new LoadDriver(harness.Client, userId, workers: 8);
        long ejections;
        try
        {
            await load.WaitForMoreCallsAsync(300, "before the fault");
            replicas[0].Control.Faulty = true;
            // The ejection counter, not the state: a 500 ms ejection may be over before a poll on a loaded machine sees it.
            await Eventually.WaitAsync(() => Balanced.FailureEjections(harness, replicas, 0) >= 1, "the faulty replica ejected", Balanced.Patience);
            await load.WaitForMoreCallsAsync(300, "while the replica is faulty");
            replicas[0].Control.Faulty = false;
            var callsWhenFixed = replicas[0].Control.Calls;
            await Eventually.WaitAsync(() => Balanced.StateOf(harness, replicas, 0) == EndpointStates.Ready, "the recovered replica back in rotation", Balanced.Patience);
            await Eventually.WaitAsync(() => replicas[0].Control.Calls > callsWhenFixed + 50, "the recovered replica serving again", Balanced.Patience);
            ejections = Balanced.FailureEjections(harness, replicas, 0);
        }
        finally
        {
            await load.DisposeAsync();
        }

        Balanced.Report(output, $"replica answering UNAVAILABLE, then fixed: {Balanced.Describe(harness, replicas, load)}");
        Assert.Empty(load.Failures);
        Assert.True(ejections >= 1);
        Assert.Equal(0, harness.Metrics.Sum("grpcmesh.client.endpoint.ejections", ("endpoint", replicas.Endpoint(1))));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_OneReplicaAlwaysUnavailableWithoutEjection_EveryRetryGoesToAnotherReplica()
    {
        await using var replicas = new ReplicaSet(3);
        using var harness = Balanced.Client(replicas, o =>
        {
            o.OutlierEjection.Enabled = false;
            o.HealthChecks.Enabled = false;
            o.Retry.MaxAttempts = 2;
            o.Retry.BudgetRatio = 1;
            o.Breaker.Enabled = false;
        });
        var userId = await Balanced.CreateUserAsync(harness);
        await Balanced.WaitUntilAllReadyAsync(harness, replicas);
        var before = replicas[0].Control.Calls; // the CreateUser call may have gone there
        replicas[0].Control.Faulty = true;

        var failures = 0;
        await Parallel.ForAsync(0, 300, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, _) =>
        {
            try
            {
                await harness.Client.GetUserAsync(new() { UserId = userId });
            }
            catch (Grpc.Core.RpcException)
            {
                Interlocked.Increment(ref failures);
            }
        });

        Balanced.Report(output, $"one replica always UNAVAILABLE, 2 attempts per call, no ejection: {failures} failures; {Balanced.Describe(harness, replicas)}");
        Assert.Equal(0, failures);
        var failedThere = replicas[0].Control.Calls - before;
        Assert.InRange(failedThere, 50, 150); // it still gets its share of first attempts…
        Assert.Equal(failedThere, harness.Metrics.Sum("grpcmesh.client.retries")); // …and each is retried once, elsewhere
    }
}
