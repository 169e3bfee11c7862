using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using GrpcMesh.Deploy.Tests.Harness;
using GrpcMesh.Order.V1;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Deploy.Tests;

/// <summary>
/// deploy/k8s (SQLite) run the way a cluster runs it: each Deployment's image published as its Dockerfile does, its pod
/// started with the image's and the manifest's environment as the manifest's user on a pod address other than
/// 127.0.0.1, probed with the manifest's own probes, reached through its Service names, and stopped as the kubelet
/// stops it.
/// </summary>
public sealed class PodHarnessTests(ITestOutputHelper output)
{
    /// <summary>Image builds (two SDK publishes in fresh contexts) plus pods; the build dominates on a busy 2-core machine.</summary>
    private const int Timeout = 900_000;

    private readonly TestTokens _tokens = new();

    private Dictionary<(string, string), string> Secrets => new() { [("grpcmesh-auth", "signing-key")] = _tokens.SigningKey };

    [Fact(Timeout = Timeout)]
    public async Task SqliteManifests_AppliedProbedCalledAndStopped_BehaveAsInACluster()
    {
        await using var cluster = await Cluster.CreateAsync(Secrets, TestContext.Current.CancellationToken, "k8s");
        var pods = await cluster.ApplyAsync();
        var users = Assert.Single(pods, p => p.Workload.Name == "userservice");
        var orders = Assert.Single(pods, p => p.Workload.Name == "orderservice");

        foreach (var pod in pods)
        {
            var kubelet = cluster.KubeletOf(pod);
            var startupBudget = pod.Workload.StartupProbe.Period * pod.Workload.StartupProbe.FailureThreshold;
            Assert.True(await kubelet.Started < startupBudget, $"{pod.Name} started after {await kubelet.Started}, the startup probe allows {startupBudget}");
            output.WriteLine($"{pod.Name} at {pod.Address}: startup probe passed {(await kubelet.Started).TotalSeconds:F1} s, ready {(await kubelet.FirstReady).TotalSeconds:F1} s after start");
            Assert.Equal(HttpStatusCode.OK, await ScrapeStatusAsync(pod));
            Assert.Equal(HttpStatusCode.OK, await OpenApiStatusAsync(pod));
        }

        var calls = new MeshCalls(_tokens);
        var userId = await calls.CreateUserAsync(users);
        using (var channel = GrpcChannel.ForAddress(orders.Url("grpc")))
        {
            var order = await calls.CreateOrderAsync(new OrderService.OrderServiceClient(channel), userId);
            Assert.Equal(OrderStatus.Confirmed, order.Status);
        }

        foreach (var pod in new[] { orders, users })
        {
            var kubelet = cluster.KubeletOf(pod);
            var stopping = cluster.StopPodAsync(pod);
            await Eventually.WaitAsync(
                async () => await kubelet.ProbeAsync(pod.Workload.ReadinessProbe) is not null,
                $"{pod.Name} readiness to leave SERVING after SIGTERM",
                pod.Workload.ReadinessProbe.Period);
            var (elapsed, exitedByItself) = await stopping;
            output.WriteLine($"{pod.Name}: SIGTERM → exit {elapsed.TotalSeconds:F1} s (grace {pod.Workload.TerminationGracePeriod.TotalSeconds} s), exit code {pod.ExitCode}");
            Assert.True(exitedByItself, $"{pod.Name} outlived terminationGracePeriodSeconds and was killed:\n{pod.Output}");
            Assert.Equal(0, pod.ExitCode);
            Assert.Null(kubelet.LivenessRestart);
            output.WriteLine(string.Join('\n', kubelet.Events));
            // Quiet when nothing is wrong; Kestrel's heartbeat warning reports a starved test machine, not the pod.
            var warnings = ServiceProcessLogs.LinesAtOrAbove(pod.OutputLines, LogLevel.Warning)
                .Where(l => !l.Contains("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal)).ToList();
            Assert.True(warnings.Count == 0, $"{pod.Name} logged at Warning or above:\n{string.Join('\n', warnings)}");
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Harness_PodListeningOnLoopbackOnly_FailsItsStartupProbe()
    {
        await using var cluster = await Cluster.CreateAsync(Secrets, TestContext.Current.CancellationToken, "k8s");
        // What appsettings.json's "Urls" once did to the image: the app listens on 127.0.0.1 whatever the image sets.
        var pod = await cluster.StartPodAsync("userservice", new Dictionary<string, string> { ["URLS"] = "http://127.0.0.1:0" });

        await Eventually.WaitAsync(
            () => pod.OutputLines.Any(l => l.Contains("Now listening on", StringComparison.Ordinal) && l.Contains("127.0.0.1", StringComparison.Ordinal)),
            "the pod to listen on 127.0.0.1", TimeSpan.FromSeconds(120));
        var failure = await cluster.KubeletOf(pod).ProbeAsync(pod.Workload.StartupProbe);

        Assert.NotNull(failure);
        Assert.StartsWith(nameof(StatusCode.Unavailable), failure, StringComparison.Ordinal);
        Assert.False(pod.Ready);
    }

    /// <summary>The HTTP edge (JSON API, gRPC-Web) answers on the pod's "http" port with the image's settings.</summary>
    private static async Task<HttpStatusCode> OpenApiStatusAsync(Pod pod)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(new Uri(pod.Url("http"), "/openapi/v1.json"), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("\"openapi\"", body, StringComparison.Ordinal);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> ScrapeStatusAsync(Pod pod)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(new Uri(pod.Url("metrics"), "/metrics"), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("# TYPE", body, StringComparison.Ordinal);
        return response.StatusCode;
    }
}
