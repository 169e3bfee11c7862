namespace GrpcMesh.LoadTest.Reporting;

/// <summary>
/// What a traffic-management scenario (issue 18) measured: its phases, and the figures its targets are about (one of
/// <see cref="Balancing"/>, <see cref="Hedging"/>, <see cref="Overload"/>, <see cref="ConnectionAge"/>, <see cref="Refusals"/>). Latencies in milliseconds.
/// </summary>
internal sealed record TrafficReport(
    IReadOnlyList<TrafficPhaseReport> Phases,
    BalancingFigures? Balancing = null,
    HedgingFigures? Hedging = null,
    OverloadFigures? Overload = null,
    ConnectionAgeFigures? ConnectionAge = null,
    RefusalFigures? Refusals = null);

/// <summary>
/// One phase: its load, the GetUser attempts each replica served during it (read from the replicas' counters), attempts
/// per call the load generator made, the outcome per criticality, and the mesh client's settings (the token left out).
/// <see cref="RefusalsExpected"/>: a phase whose calls are meant to be refused (it has no OK call and still succeeded).
/// </summary>
internal sealed record TrafficPhaseReport(
    string Name,
    string Description,
    PhaseReport Load,
    IReadOnlyDictionary<string, long>? ServedByReplica = null,
    double? AttemptsPerCall = null,
    IReadOnlyDictionary<string, PhaseReport>? ByCriticality = null,
    IReadOnlyDictionary<string, string?>? ClientSettings = null,
    bool RefusalsExpected = false);

/// <summary>lb-*: the slowed replica's share of the attempts, and the callers' p99 against the same policy with every replica healthy.</summary>
internal sealed record BalancingFigures(string Policy, double SlowReplicaShare, double HealthyP99, double SlowP99, double P99VsHealthy);

/// <summary>hedging-*: GetUser latency with one replica stalling every n-th call and every call taking <see cref="ServiceTimeMs"/> on its replica, and the attempts it cost: in the open loop at <see cref="Rate"/>, and (Saturated*) in the closed loop.</summary>
internal sealed record HedgingFigures(
    bool Enabled, double Rate, double ServiceTimeMs, double P50, double P99, double P999, double P99VsP50, double AttemptsPerCall,
    double SaturatedOkPerSecond, double SaturatedP99VsP50, double SaturatedAttemptsPerCall)
{
    /// <summary>The open loop's rate as a share of what the closed loop served: how busy the box was while the target figures were taken.</summary>
    public double RateVsSaturated => SaturatedOkPerSecond > 0 ? Math.Round(Rate / SaturatedOkPerSecond, 3) : 0;
}

/// <summary>overload: peak goodput, unloaded p99, and what 3× the peak with half the calls sheddable did to both.</summary>
internal sealed record OverloadFigures(
    int Slots,
    double HoldMs,
    double PeakOkPerSecond,
    double UnloadedP99,
    double OverloadRate,
    double GoodputOkPerSecond,
    double GoodputVsPeak,
    double? CriticalP99,
    double? CriticalP99VsUnloaded,
    double? SettledCriticalP99,
    double? SettledCriticalP99VsUnloaded,
    double WindowMs,
    int Windows,
    int CriticalRefusedWhileSheddableAdmitted,
    int CriticalFailedWhileSheddableAdmitted,
    int CriticalRefusalsWhileSheddableRunning);

/// <summary>
/// connection-age: one Python grpcio channel through a per-connection balancer while the servers scale from 1 to 3: the
/// calls each replica served over <see cref="WindowSeconds"/> from 2 × <see cref="MaxAgeSeconds"/> after the scale-out,
/// and how far the most uneven share is from a third (0.2 = ±20 %).
/// </summary>
internal sealed record ConnectionAgeFigures(
    double MaxAgeSeconds, double WindowSeconds, IReadOnlyList<double> Calls, IReadOnlyList<double> Shares, double MaxDeviationFromEven,
    IReadOnlyList<int> Connections, long Ok, long Failed, string? FirstFailure);

/// <summary>refusals: the replica's CPU per call it refused at the gate and per call it served from memory, each in a closed loop.</summary>
internal sealed record RefusalFigures(double RefusedPerSecond, double CpuMicrosPerRefusal, double ServedPerSecond, double CpuMicrosPerServedCall)
{
    /// <summary>What a refusal costs the server as a share of what serving a call costs.</summary>
    public double RefusalVsServed => CpuMicrosPerServedCall > 0 ? Math.Round(CpuMicrosPerRefusal / CpuMicrosPerServedCall, 3) : 0;
}
