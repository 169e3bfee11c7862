using GrpcMesh.LoadTest.Load;
using GrpcMesh.LoadTest.Reporting;

namespace GrpcMesh.LoadTest.Scenarios.Traffic;

/// <summary>
/// One phase through the real mesh client: a fresh client over the named replicas (shipped defaults plus
/// the scenario's settings), an unrecorded closed-loop warm-up, then the measured closed loop with the replicas'
/// served counters read just before and after it (both loops end with no call in flight, so the difference is exactly
/// the attempts the measured calls made, hedges and retries included).
/// </summary>
internal static class MeshPhase
{
    /// <summary>"Moderate" concurrency: enough to keep three replicas busy, few enough that a slow one is not hidden by queueing.</summary>
    public const int MaxConcurrency = 16;

    private const string Section = "Clients:UserService:";

    public static async Task<TrafficPhaseReport> RunAsync(
        string scenario, string name, string description, ScenarioContext context, ProgressReporter progress, ReplicaSet replicas,
        IReadOnlyList<string> endpoints, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var clientSettings = new Dictionary<string, string?> { [Section + "Address"] = replicas.StaticAddress(endpoints) };
        foreach (var (key, value) in settings)
        {
            clientSettings[Section + key] = value;
        }

        var reported = new Dictionary<string, string?>(clientSettings);
        clientSettings[Section + "Auth:Token"] = context.Auth.Token;

        await using var mesh = new MeshClient(clientSettings);
        UnaryCall[] calls = [UserCalls.GetUser(mesh.Client, UserIds(options.Users))];
        var concurrency = Math.Min(MaxConcurrency, options.Concurrency);
        _ = await ClosedLoop.RunAsync(calls, concurrency, TimeSpan.Zero, options.Warmup, progress, $"{scenario} {name} warm-up", cancellationToken);
        var before = await replicas.ReadServedAsync(cancellationToken);
        var result = await ClosedLoop.RunAsync(calls, concurrency, TimeSpan.Zero, options.Duration, progress, $"{scenario} {name} c={concurrency}", cancellationToken);
        var after = await replicas.ReadServedAsync(cancellationToken);

        var served = endpoints.ToDictionary(e => e, e => after[e] - before[e]);
        var attempts = served.Values.Sum();
        return new TrafficPhaseReport(name, description, PhaseReports.From(result), served,
            result.Completed > 0 ? Math.Round(attempts / (double)result.Completed, 4) : null, null, reported);
    }

    /// <summary>The replicas answer any id; a few distinct ones keep requests realistic.</summary>
    public static string[] UserIds(int count) => [.. Enumerable.Range(0, count).Select(i => $"user-{i}")];
}
