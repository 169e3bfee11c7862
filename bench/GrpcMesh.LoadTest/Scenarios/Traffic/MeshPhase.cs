using GrpcMesh.LoadTest.Cli;
using GrpcMesh.LoadTest.Load;
using GrpcMesh.LoadTest.Reporting;

namespace GrpcMesh.LoadTest.Scenarios.Traffic;

/// <summary>
/// One phase through the real mesh client: a fresh client over the named replicas (shipped defaults plus
/// the scenario's settings), an unrecorded closed-loop warm-up, then the measured closed or open loop with the replicas'
/// served counters read just before and after it (both loops end with no call in flight, so the difference is exactly
/// the attempts the measured calls made, hedges and retries included).
/// </summary>
internal static class MeshPhase
{
    /// <summary>"Moderate" concurrency: enough to keep three replicas busy, few enough that a slow one is not hidden by queueing.</summary>
    public const int MaxConcurrency = 16;

    private const string Section = "Clients:UserService:";

    public static Task<TrafficPhaseReport> RunAsync(
        string scenario, string name, string description, ScenarioContext context, ProgressReporter progress, ReplicaSet replicas,
        IReadOnlyList<string> endpoints, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var concurrency = ClosedLoopConcurrency(context.Options);
        return MeasureAsync(scenario, name, description, context, progress, replicas, endpoints, settings,
            calls => ClosedLoop.RunAsync(calls, concurrency, TimeSpan.Zero, context.Options.Duration, progress, $"{scenario} {name} c={concurrency}", cancellationToken),
            cancellationToken);
    }

    /// <summary>As <see cref="RunAsync"/>, but the measured load is an open loop at <paramref name="rate"/> calls per second (latency from each call's due time).</summary>
    public static Task<TrafficPhaseReport> RunOpenLoopAsync(
        string scenario, string name, string description, double rate, ScenarioContext context, ProgressReporter progress, ReplicaSet replicas,
        IReadOnlyList<string> endpoints, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken) =>
        MeasureAsync(scenario, name, description, context, progress, replicas, endpoints, settings,
            calls => OpenLoop.RunAsync([.. Enumerable.Repeat(calls[0], context.Options.Connections)], rate, TimeSpan.Zero, context.Options.Duration,
                progress, $"{scenario} {name} {rate:0}/s", cancellationToken),
            cancellationToken);

    private static async Task<TrafficPhaseReport> MeasureAsync(
        string scenario, string name, string description, ScenarioContext context, ProgressReporter progress, ReplicaSet replicas,
        IReadOnlyList<string> endpoints, IReadOnlyDictionary<string, string> settings, Func<UnaryCall[], Task<PhaseResult>> load,
        CancellationToken cancellationToken)
    {
        var options = context.Options;
        var reported = ClientSettings(replicas, endpoints, settings);
        await using var mesh = new MeshClient(new Dictionary<string, string?>(reported) { [Section + "Auth:Token"] = context.Auth.Token });
        var calls = Calls(mesh, options.Users);
        _ = await ClosedLoop.RunAsync(calls, ClosedLoopConcurrency(options), TimeSpan.Zero, options.Warmup, progress,
            $"{scenario} {name} warm-up", cancellationToken);
        var before = await replicas.ReadServedAsync(cancellationToken);
        var result = await load(calls);
        var after = await replicas.ReadServedAsync(cancellationToken);

        var served = endpoints.ToDictionary(e => e, e => after[e] - before[e]);
        var attempts = served.Values.Sum();
        return new TrafficPhaseReport(name, description, PhaseReports.From(result), served,
            result.Completed > 0 ? Math.Round(attempts / (double)result.Completed, 4) : null, null, reported);
    }

    /// <summary>
    /// Unrecorded load through a mesh client over <paramref name="endpoints"/>, so that every replica a scenario uses is as
    /// warm (JIT, pools) in its first measured phase as in its last: otherwise the phase that runs first is measured on
    /// colder servers, and a ratio of two phases' p99 leans towards the later one.
    /// </summary>
    public static async Task WarmUpAsync(
        string scenario, ScenarioContext context, ProgressReporter progress, ReplicaSet replicas, IReadOnlyList<string> endpoints,
        CancellationToken cancellationToken)
    {
        var options = context.Options;
        await using var mesh = new MeshClient(new Dictionary<string, string?>(ClientSettings(replicas, endpoints, new Dictionary<string, string>()))
        {
            [Section + "Auth:Token"] = context.Auth.Token,
        });
        _ = await ClosedLoop.RunAsync(Calls(mesh, options.Users), ClosedLoopConcurrency(options), TimeSpan.Zero, options.Warmup,
            progress, $"{scenario} warm-up (all replicas)", cancellationToken);
    }

    private static int ClosedLoopConcurrency(LoadTestOptions options) => Math.Min(MaxConcurrency, options.Concurrency);

    private static Dictionary<string, string?> ClientSettings(ReplicaSet replicas, IReadOnlyList<string> endpoints, IReadOnlyDictionary<string, string> settings)
    {
        var result = new Dictionary<string, string?> { [Section + "Address"] = replicas.StaticAddress(endpoints) };
        foreach (var (key, value) in settings)
        {
            result[Section + key] = value;
        }

        return result;
    }

    private static UnaryCall[] Calls(MeshClient mesh, int users) => [UserCalls.GetUser(mesh.Client, UserIds(users))];

    /// <summary>The replicas answer any id; a few distinct ones keep requests realistic.</summary>
    public static string[] UserIds(int count) => [.. Enumerable.Range(0, count).Select(i => $"user-{i}")];
}
