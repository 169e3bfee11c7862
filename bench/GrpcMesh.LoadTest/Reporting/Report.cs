namespace GrpcMesh.LoadTest.Reporting;

/// <summary>The JSON report (and the source of the printed tables). Latencies are in milliseconds.</summary>
internal sealed record LoadTestReport(
    DateTimeOffset StartedAt,
    MachineReport Machine,
    SettingsReport Settings,
    IReadOnlyList<ScenarioReport> Scenarios,
    IReadOnlyList<TargetReport> Targets,
    IReadOnlyList<MeshTaxReport> MeshTax);

/// <summary>One feature's cost: the full stack's closed-loop req/s against the same server without the feature.</summary>
internal sealed record MeshTaxReport(string Feature, string Scenario, double WithoutOkPerSecond, double FullOkPerSecond, double FullVsWithout);

internal sealed record MachineReport(string Os, string Runtime, int ProcessorCount, string? CpuModel, double? MemoryGiB, string Note);

internal sealed record SettingsReport(
    double WarmupSeconds, double DurationSeconds, int Concurrency, int Connections, double? Rate,
    double OpenLoopFraction, int Users, int ZipfUsers, double ZipfExponent, bool Smoke, string Configuration, string PythonMode, int Repeat,
    int OverloadSlots, double OverloadHoldMs, double OverloadSeconds);

internal sealed record ScenarioReport(
    string Name,
    string Description,
    string Outcome,
    string? Error,
    string? ServerInfo,
    LoadAverage? LoadBefore,
    LoadAverage? LoadAfter,
    PhaseReport? ClosedLoop,
    PhaseReport? OpenLoop,
    double? ThroughputVsBaseline,
    IReadOnlyList<double>? RunsOkPerSecond = null,
    TrafficReport? Traffic = null);

internal sealed record PhaseReport(
    string Mode,
    int Connections,
    int? Concurrency,
    double? TargetRps,
    double DurationSeconds,
    long Ok,
    long Failed,
    long NotSent,
    double OkPerSecond,
    LatencyReport LatencyMs,
    IReadOnlyDictionary<string, long> Statuses,
    string? FirstError);

internal sealed record LatencyReport(double P50, double P90, double P99, double P999, double Max, double Mean);

internal sealed record LoadAverage(double OneMinute, double FiveMinutes, double FifteenMinutes);

internal sealed record TargetReport(string Name, string Comparison, double Threshold, double? Measured, bool? Met, string Note);

internal static class Outcomes
{
    public const string Ok = "ok";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}
