using GrpcMesh.LoadTest.Load;
using GrpcMesh.LoadTest.Reporting;

namespace GrpcMesh.LoadTest.Scenarios.Traffic;

/// <summary>
/// A traffic-management scenario (issue 18): starts its own replicas and runs its own phases (several client
/// configurations, counters read around each), instead of the closed loop then open loop against one target. Not part
/// of a run without <c>--scenarios</c> (they add minutes); <c>--traffic</c> adds them all.
/// </summary>
internal abstract class TrafficScenario(string name, string description) : Scenario(name, description)
{
    public override string? Baseline => null;

    public override bool InDefaultRun => false;

    public override IEnumerable<string> DotnetProjects => [ReplicaSet.Project];

    public abstract Task<TrafficReport> RunAsync(ScenarioContext context, ProgressReporter progress, CancellationToken cancellationToken);

    // The phases differ per scenario, so there is no single target to hand to the generic loops.
    public sealed override Task<RunningScenario> StartAsync(ScenarioContext context, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{Name} runs its own phases ({nameof(RunAsync)})");
}
