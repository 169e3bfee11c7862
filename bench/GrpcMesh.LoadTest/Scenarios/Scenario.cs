namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>A system under test: starts its servers (separate processes), seeds them and says which RPC to load.</summary>
internal abstract class Scenario(string name, string description)
{
    public string Name { get; } = name;

    public string Description { get; } = description;

    /// <summary>The scenario whose req/s this one is divided by in the table (null: none).</summary>
    public virtual string? Baseline => "baseline";

    /// <summary>Whether a run without <c>--scenarios</c> includes it.</summary>
    public virtual bool InDefaultRun => true;

    /// <summary>The .NET projects whose dlls this scenario runs (built before the run if missing).</summary>
    public virtual IEnumerable<string> DotnetProjects => [];

    /// <summary>Why the scenario cannot run on this machine, or null when it can.</summary>
    public virtual Task<string?> UnavailableReasonAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    public abstract Task<RunningScenario> StartAsync(ScenarioContext context, CancellationToken cancellationToken);
}
