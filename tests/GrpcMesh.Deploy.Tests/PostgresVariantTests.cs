using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using GrpcMesh.Deploy.Tests.Harness;
using GrpcMesh.Order.V1;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;
using Microsoft.Extensions.Logging;
using GrpcMesh.Testing.Postgres;

namespace GrpcMesh.Deploy.Tests;

/// <summary>
/// deploy/k8s/postgres on one throwaway PostgreSQL cluster: every replica the overlay asks for, connection strings from
/// the grpcmesh-postgres Secret, and a rolling update of UserService while callers create orders through OrderService.
/// </summary>
public sealed class PostgresVariantTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int Timeout = 900_000;

    /// <summary>Concurrent callers: enough to keep every pod busy, few enough for a loaded 2-core machine.</summary>
    private const int Callers = 4;

    private readonly TestTokens _tokens = new();

    [Fact(Timeout = Timeout)]
    public async Task PostgresOverlay_RollingUpdateOfUserServiceUnderCreateOrderLoad_NoCallFails()
    {
        await using var users = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await using var orders = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var secrets = new Dictionary<(string, string), string>
        {
            [("grpcmesh-auth", "signing-key")] = _tokens.SigningKey,
            [("grpcmesh-postgres", "userservice-connection-string")] = users.ConnectionString,
            [("grpcmesh-postgres", "orderservice-connection-string")] = orders.ConnectionString,
        };
        await using var cluster = await Cluster.CreateAsync(secrets, TestContext.Current.CancellationToken, "k8s", "postgres");
        var pods = await cluster.ApplyAsync();
        Assert.True(cluster.Manifests.Workload("userservice").Replicas >= 2, "the PostgreSQL variant runs UserService on at least 2 replicas");
        Assert.Equal(pods.Count, cluster.Manifests.Workloads.Sum(w => w.Replicas));

        var calls = new MeshCalls(_tokens);
        var userId = await calls.CreateUserAsync(pods.First(p => p.Workload.Name == "userservice"));
        var orderPods = pods.Where(p => p.Workload.Name == "orderservice").ToList();
        var channels = orderPods.Select(p => GrpcChannel.ForAddress(p.Url("grpc"))).ToList();
        var failures = new ConcurrentQueue<string>();
        var succeeded = 0;
        using var stopLoad = new CancellationTokenSource();
        var load = Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            for (var i = caller; !stopLoad.IsCancellationRequested; i++)
            {
                try
                {
                    var order = await calls.CreateOrderAsync(new OrderService.OrderServiceClient(channels[i % channels.Count]), userId);
                    if (order.Status == OrderStatus.Confirmed)
                    {
                        Interlocked.Increment(ref succeeded);
                    }
                    else
                    {
                        failures.Enqueue($"order {order.Id} {order.Status}: {order.StatusReason}");
                    }
                }
                catch (RpcException e)
                {
                    failures.Enqueue($"{e.StatusCode}: {e.Status.Detail}");
                }
            }
        })).ToList();

        await Eventually.WaitAsync(() => Volatile.Read(ref succeeded) >= 20, "CreateOrder load to get going", TimeSpan.FromSeconds(60));
        var before = Volatile.Read(ref succeeded);
        var stops = await cluster.RollingUpdateAsync("userservice");
        var during = Volatile.Read(ref succeeded) - before;
        await Eventually.WaitAsync(() => Volatile.Read(ref succeeded) >= before + during + 20, "orders on the new UserService pods", TimeSpan.FromSeconds(60));
        await stopLoad.CancelAsync();
        await Task.WhenAll(load);
        channels.ForEach(c => c.Dispose());

        output.WriteLine($"CreateOrder: {before} before the rollout, {during} during it, {succeeded} in all; {failures.Count} failed");
        foreach (var (pod, elapsed, exitedByItself) in stops)
        {
            output.WriteLine($"{pod.Name} at {pod.Address}: SIGTERM → exit {elapsed.TotalSeconds:F1} s, exit code {pod.ExitCode}");
            Assert.True(exitedByItself, $"{pod.Name} outlived terminationGracePeriodSeconds:\n{pod.Output}");
            Assert.Equal(0, pod.ExitCode);
        }

        foreach (var pod in cluster.Pods)
        {
            var errors = ServiceProcessLogs.LinesAtOrAbove(pod.OutputLines, LogLevel.Error);
            Assert.True(errors.Count == 0, $"{pod.Name} logged at Error:\n{string.Join('\n', errors)}");
        }

        foreach (var pod in cluster.Pods.Where(p => !p.Terminating))
        {
            output.WriteLine($"{pod.Name} at {pod.Address}: ready {(await cluster.KubeletOf(pod).FirstReady).TotalSeconds:F1} s after start");
            Assert.Null(cluster.KubeletOf(pod).LivenessRestart);
        }

        Assert.True(during > 0, "no order was created while UserService rolled");
        Assert.True(failures.IsEmpty, $"{failures.Count} CreateOrder calls failed during the rolling update:\n{string.Join('\n', failures.Take(20))}");
    }
}
