using GrpcMesh.Clients.Balancing;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Tests.Fakes;
using GrpcMesh.Common.V1;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.Clients.Tests.Replicas;

/// <summary>A client of a <see cref="ReplicaSet"/> with test-sized timings, and what the tests ask of it.</summary>
public static class Balanced
{
    /// <summary>How long the balancing tests wait for a replica or endpoint state to change.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>The registered UserService client on the replicas' static:/// address: fast reconnects and ejections, shipped health-check defaults.</summary>
    public static ClientHarness Client(ReplicaSet replicas, Action<GrpcMeshClientOptions>? configure = null) =>
        new(replicas.Address, o =>
        {
            o.LoadBalancing.InitialReconnectBackoff = TimeSpan.FromMilliseconds(100);
            o.LoadBalancing.MaxReconnectBackoff = TimeSpan.FromMilliseconds(500);
            o.OutlierEjection.BaseEjectionTime = TimeSpan.FromMilliseconds(500);
            o.OutlierEjection.MaxEjectionTime = TimeSpan.FromSeconds(2);
            configure?.Invoke(o);
        });

    public static async Task<string> CreateUserAsync(ClientHarness harness, CancellationToken cancellationToken = default)
    {
        var response = await harness.Client.CreateUserAsync(new CreateUserRequest
        {
            Email = $"lb-{Guid.NewGuid():N}@example.com",
            DisplayName = "Balanced Caller",
            CreditLimit = new Money { CurrencyCode = "USD", Units = 100 },
        }, cancellationToken: cancellationToken);
        return response.User.Id;
    }

    public static string? StateOf(ClientHarness harness, ReplicaSet replicas, int index) =>
        harness.Metrics.EndpointState(replicas.Target, replicas.Endpoint(index));

    /// <summary>Waits until every replica is connected and in rotation, so a measurement starts from a full picker.</summary>
    public static Task WaitUntilAllReadyAsync(ClientHarness harness, ReplicaSet replicas) =>
        Eventually.WaitAsync(
            () => Enumerable.Range(0, replicas.Count).All(i => StateOf(harness, replicas, i) == EndpointStates.Ready),
            "every replica ready", Patience);

    /// <summary>Whether the client's connection to replica <paramref name="index"/> is up (the ejection cap counts only those).</summary>
    public static bool IsConnected(ClientHarness harness, ReplicaSet replicas, int index) =>
        harness.Services.GetRequiredService<EndpointTableRegistry>().Find(replicas.Target)?.Get(replicas.Endpoint(index)).IsConnected == true;

    /// <summary>Ejections of replica <paramref name="index"/> for failed attempts (not health).</summary>
    public static long FailureEjections(ClientHarness harness, ReplicaSet replicas, int index) =>
        harness.Metrics.Sum("grpcmesh.client.endpoint.ejections", ("endpoint", replicas.Endpoint(index)), ("reason", "failures"));

    /// <summary>Attempts the client sent to replica <paramref name="index"/>, any outcome.</summary>
    public static long AttemptsTo(ClientHarness harness, ReplicaSet replicas, int index) =>
        harness.Metrics.Sum("grpcmesh.client.endpoint.attempts", ("target", replicas.Target), ("endpoint", replicas.Endpoint(index)));

    public static string Describe(ClientHarness harness, ReplicaSet replicas, LoadDriver? load = null)
    {
        var lines = Enumerable.Range(0, replicas.Count).Select(i =>
            $"  {replicas.Endpoint(i)}: attempts {AttemptsTo(harness, replicas, i)} " +
            $"(failed {harness.Metrics.Sum("grpcmesh.client.endpoint.attempts", ("target", replicas.Target), ("endpoint", replicas.Endpoint(i)), ("outcome", "failure"))}), " +
            $"ejections {harness.Metrics.Sum("grpcmesh.client.endpoint.ejections", ("target", replicas.Target), ("endpoint", replicas.Endpoint(i)))}, " +
            $"state {StateOf(harness, replicas, i) ?? "-"}");
        var summary = load is null ? string.Empty
            : $"calls {load.Completed}, caller-visible failures {load.Failures.Count} [{string.Join("; ", load.Failures.Take(5).Select(f => $"{f.StatusCode}: {f.Status.Detail}"))}], ";
        return $"{summary}retries {harness.Metrics.Sum("grpcmesh.client.retries")}\n{string.Join('\n', lines)}";
    }

    /// <summary>Prints to the test output and as a diagnostic message (shown by runners with diagnostics on).</summary>
    public static void Report(ITestOutputHelper output, string message)
    {
        output.WriteLine(message);
        TestContext.Current.SendDiagnosticMessage(message);
    }
}
