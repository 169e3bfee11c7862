using Grpc.Core;
using GrpcMesh.Clients.Tests.Replicas;
using GrpcMesh.Testing;

namespace GrpcMesh.Clients.Tests.LoadBalancing;

public sealed class SlowReplicaTests(ITestOutputHelper output)
{
    [Fact(Timeout = 60_000)]
    public async Task GetUser_ReplicaSlowerThanTheDeadline_EjectedAfterConsecutiveTimeoutsAndCallsGoElsewhere()
    {
        await using var replicas = new ReplicaSet(3);
        using var harness = Balanced.Client(replicas, o =>
        {
            o.MethodDeadlines["GetUser"] = TimeSpan.FromSeconds(1);
            o.OutlierEjection.ConsecutiveFailures = 3;
            o.OutlierEjection.BaseEjectionTime = TimeSpan.FromMinutes(1); // stays out for the rest of the test
            o.OutlierEjection.MaxEjectionTime = TimeSpan.FromMinutes(1);
            o.Breaker.Enabled = false; // timeouts are breaker failures too; what is measured here is the endpoint's ejection
        });
        var userId = await Balanced.CreateUserAsync(harness, TestContext.Current.CancellationToken);
        await Balanced.WaitUntilAllReadyAsync(harness, replicas);
        var load = new LoadDriver(harness.Client, userId, workers: 8);
        long timedOutAttempts;
        try
        {
            await load.WaitForMoreCallsAsync(300, "before the slowdown");
            replicas[0].Control.Delay = TimeSpan.FromSeconds(3);
            await Eventually.WaitAsync(() => Balanced.FailureEjections(harness, replicas, 0) >= 1, "the slow replica ejected", Balanced.Patience);
            await load.WaitForEveryWorkerAsync("attempts picked before the ejection have ended");
            var attemptsWhenOut = Balanced.AttemptsTo(harness, replicas, 0);
            var failuresWhenOut = load.Failures.Count;

            await load.WaitForMoreCallsAsync(300, "while the slow replica is ejected");
            Assert.Equal(attemptsWhenOut, Balanced.AttemptsTo(harness, replicas, 0));
            Assert.Equal(failuresWhenOut, load.Failures.Count);
            timedOutAttempts = harness.Metrics.Sum("grpcmesh.client.endpoint.attempts", ("endpoint", replicas.Endpoint(0)), ("outcome", "failure"));
        }
        finally
        {
            replicas[0].Control.Delay = TimeSpan.Zero;
            await load.DisposeAsync();
        }

        Balanced.Report(output, $"replica slower than the 1 s deadline: {Balanced.Describe(harness, replicas, load)}");
        Assert.InRange(timedOutAttempts, 3, 8 * 3); // at least the configured run of timeouts; at most what the workers had in flight on it
        Assert.All(load.Failures, f => Assert.Equal(StatusCode.DeadlineExceeded, f.StatusCode));
        Assert.Equal(0, harness.Metrics.Sum("grpcmesh.client.endpoint.ejections", ("endpoint", replicas.Endpoint(1))));
    }
}
