using System.Diagnostics;
using System.Globalization;
using GrpcMesh.LoadTest.Load;
using GrpcMesh.LoadTest.Reporting;

namespace GrpcMesh.LoadTest.Scenarios.Traffic;

/// <summary>
/// <c>overload</c>: one replica with the shipped ServiceDefaults admission in front of a bounded downstream resource
/// (<c>--overload-slots</c> held <c>--overload-hold</c> each). After an unrecorded warm-up at half the slots (nothing
/// waits: the adaptive limit learns the uncongested time), (a) closed loop: the peak goodput; (b) open loop at
/// <see cref="LowFraction"/> × peak: the unloaded p99; (c) open loop at <see cref="OverloadFactor"/> × peak for
/// <c>--overload-duration</c>, half the calls sheddable: goodput, admitted critical p99, the critical refusals that
/// arrived while an admitted sheddable call was in flight, and the <see cref="Window"/>-windows in which a critical call
/// was refused while a sheddable one was admitted. Every call has
/// a <see cref="Deadline"/>; raw channels (see <see cref="CriticalityCalls"/>).
/// </summary>
internal sealed class OverloadScenario() : TrafficScenario(
    "overload",
    $"ServiceDefaults admission over a bounded resource: peak, {LowFraction}x peak, {OverloadFactor}x peak with half the calls sheddable")
{
    public const double LowFraction = 0.3;
    public const double OverloadFactor = 3;

    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);

    /// <summary>Reported beside the target: the admitted critical p99 of the calls sent this long after the overload began.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    public override async Task<TrafficReport> RunAsync(ScenarioContext context, ProgressReporter progress, CancellationToken cancellationToken)
    {
        var options = context.Options;
        await using var replicas = await ReplicaSet.StartAsync(context, Name,
            [new("bounded", "--Replica:ResourceSlots", options.OverloadSlots.ToString(CultureInfo.InvariantCulture), "--Replica:ResourceHold", options.OverloadHold.ToString())],
            cancellationToken);
        using var channels = new ChannelSet(replicas.Address("bounded"), options.Connections);
        var ids = MeshPhase.UserIds(options.Users);
        var critical = channels.Bind(CriticalityCalls.GetUser(ids, context.Auth.Headers, Deadline, mixed: false));
        var mixed = channels.Bind(CriticalityCalls.GetUser(ids, context.Auth.Headers, Deadline, mixed: true));

        // First below the resource's capacity, as a server's life starts: the adaptive limit learns the uncongested time.
        var learning = Math.Max(1, options.OverloadSlots / 2);
        _ = await ClosedLoop.RunAsync(critical, learning, TimeSpan.Zero, options.Warmup, progress, $"{Name} warm-up c={learning}", cancellationToken);

        var peak = await ClosedLoop.RunAsync(critical, options.Concurrency, options.Warmup, options.Duration, progress,
            $"{Name} peak c={options.Concurrency}", cancellationToken);
        if (peak.Ok == 0)
        {
            return new TrafficReport([Phase("peak", "closed loop, critical calls", peak)]);
        }

        var lowRate = LowFraction * peak.OkPerSecond;
        var low = await OpenLoop.RunAsync(mixed, lowRate, TimeSpan.FromSeconds(Math.Min(1, options.Warmup.TotalSeconds)), options.Duration, progress,
            $"{Name} unloaded {lowRate:N0}/s", cancellationToken);

        // No settling time: the way into overload, while the queues fill, is part of what admission must get right.
        var highRate = OverloadFactor * peak.OkPerSecond;
        var tally = new CriticalityTally(Window, Stopwatch.GetTimestamp() + (long)(Settle.TotalSeconds * Stopwatch.Frequency));
        var high = await OpenLoop.RunAsync(mixed, highRate, TimeSpan.Zero, options.OverloadDuration, progress,
            $"{Name} overload {highRate:N0}/s", cancellationToken, tally.Observer(CriticalityCalls.IsSheddable));

        var windows = tally.CheckWindows();
        var criticalResult = ClassResult(high, tally.Critical, tally.CriticalLatency);
        var unloadedP99 = PhaseReports.From(low).LatencyMs.P99;
        double? criticalP99 = criticalResult.Ok > 0 ? PhaseReports.From(criticalResult).LatencyMs.P99 : null;
        double? settledP99 = tally.SettledCriticalLatency.TotalCount > 0 ? PhaseReports.Ms(tally.SettledCriticalLatency.GetValueAtPercentile(99)) : null;
        var overload = Phase("overload", $"open loop at {OverloadFactor}x peak, half sheddable", high) with
        {
            ByCriticality = new Dictionary<string, PhaseReport>
            {
                ["critical"] = PhaseReports.From(criticalResult),
                ["sheddable"] = PhaseReports.From(ClassResult(high, tally.Sheddable, tally.SheddableLatency)),
            },
        };
        return new TrafficReport(
            [Phase("peak", "closed loop, critical calls", peak), Phase("unloaded", $"open loop at {LowFraction}x peak, half sheddable", low), overload],
            Overload: new OverloadFigures(options.OverloadSlots, options.OverloadHold.TotalMilliseconds, Math.Round(peak.OkPerSecond, 1), unloadedP99,
                Math.Round(highRate, 1), Math.Round(high.OkPerSecond, 1), Math.Round(high.OkPerSecond / peak.OkPerSecond, 3),
                criticalP99, VsUnloaded(criticalP99), settledP99, VsUnloaded(settledP99), Window.TotalMilliseconds, windows.Windows,
                windows.CriticalRefusedWhileSheddableAdmitted, windows.CriticalFailedWhileSheddableAdmitted, tally.CriticalRefusedWhileSheddableRunning()));

        double? VsUnloaded(double? p99) => p99 is { } value && unloadedP99 > 0 ? Math.Round(value / unloadedP99, 3) : null;
    }

    private static TrafficPhaseReport Phase(string name, string description, PhaseResult result) =>
        new(name, description, PhaseReports.From(result));

    private static PhaseResult ClassResult(PhaseResult phase, StatusTally statuses, HdrHistogram.HistogramBase latency) =>
        new(phase.Mode, phase.Connections, null, phase.TargetRps / 2, phase.Measured, latency, statuses, 0);
}
