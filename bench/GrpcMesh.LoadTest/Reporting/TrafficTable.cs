using System.Globalization;
using System.Text;

namespace GrpcMesh.LoadTest.Reporting;

/// <summary>The printed section of the traffic-management scenarios: every phase, then each scenario's figures.</summary>
internal static class TrafficTable
{
    public static void Render(StringBuilder text, IReadOnlyList<ScenarioReport> scenarios)
    {
        var traffic = scenarios.Where(s => s.Traffic is not null).ToList();
        if (traffic.Count == 0)
        {
            return;
        }

        text.AppendLine("Traffic management (issue 18; latency of OK calls in ms, from the intended send time in open loops):");
        text.AppendLine($"  {"scenario",-16} {"phase",-12} {"OK req/s",9} {"p50",8} {"p99",8} {"p99.9",8} {"failed",7} {"att/call",8}  served by replica / statuses");
        foreach (var scenario in traffic)
        {
            foreach (var phase in scenario.Traffic!.Phases)
            {
                var p = phase.Load;
                var served = phase.ServedByReplica is { } s ? string.Join(" ", s.Select(kv => $"{kv.Key}={kv.Value:N0}")) : Statuses(p);
                text.AppendLine($"  {scenario.Name,-16} {phase.Name,-12} {p.OkPerSecond,9:N0} {p.LatencyMs.P50,8:0.000} {p.LatencyMs.P99,8:0.000} {p.LatencyMs.P999,8:0.000} {p.Failed,7:N0} {phase.AttemptsPerCall?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-",8}  {served}");
                foreach (var (criticality, c) in phase.ByCriticality ?? new Dictionary<string, PhaseReport>())
                {
                    text.AppendLine($"  {"",-16} {"  " + criticality,-12} {c.OkPerSecond,9:N0} {c.LatencyMs.P50,8:0.000} {c.LatencyMs.P99,8:0.000} {c.LatencyMs.P999,8:0.000} {c.Failed,7:N0} {"",8}  {Statuses(c)}");
                }
            }

            text.AppendLine($"  {(scenario.Traffic.Phases.Count == 0 ? scenario.Name : ""),-16} → {Figures(scenario.Traffic)}");
        }

        text.AppendLine();
    }

    private static string Statuses(PhaseReport phase) =>
        string.Join(" ", phase.Statuses.Select(kv => $"{kv.Key}={kv.Value:N0}")) + (phase.NotSent > 0 ? $" not-sent={phase.NotSent:N0}" : "");

    private static string Figures(TrafficReport traffic) => traffic switch
    {
        { Balancing: { } b } => $"{b.Policy}: slowed replica got {b.SlowReplicaShare:P1} of the attempts; p99 {b.SlowP99:0.###} ms vs {b.HealthyP99:0.###} all healthy ({b.P99VsHealthy:0.##}×)",
        { Hedging: { } h } => $"hedging {(h.Enabled ? "on" : "off")}, {h.ServiceTimeMs:0.###} ms calls, {h.Rate:0}/s ({h.RateVsSaturated:P0} of the saturated {h.SaturatedOkPerSecond:N0}/s): p50 {h.P50:0.###} ms, p99 {h.P99:0.###} ms ({h.P99VsP50:0.##}× p50), p99.9 {h.P999:0.###} ms, {h.AttemptsPerCall:0.000} attempts per call; saturated: p99 {h.SaturatedP99VsP50:0.##}× p50, {h.SaturatedAttemptsPerCall:0.000} attempts per call",
        { Overload: { } o } => $"{o.Slots} slots × {o.HoldMs:0.###} ms: peak {o.PeakOkPerSecond:N0} OK/s, unloaded p99 {o.UnloadedP99:0.###} ms; at {o.OverloadRate:N0}/s offered: "
            + $"goodput {o.GoodputOkPerSecond:N0} OK/s ({o.GoodputVsPeak:0.##}× peak), admitted critical p99 {o.CriticalP99?.ToString("0.###", CultureInfo.InvariantCulture) ?? "-"} ms "
            + $"({o.CriticalP99VsUnloaded?.ToString("0.##", CultureInfo.InvariantCulture) ?? "-"}× unloaded; from the second second on {o.SettledCriticalP99?.ToString("0.###", CultureInfo.InvariantCulture) ?? "-"} ms, "
            + $"{o.SettledCriticalP99VsUnloaded?.ToString("0.##", CultureInfo.InvariantCulture) ?? "-"}×), {o.CriticalRefusalsWhileSheddableRunning} critical refusals while a sheddable call ran, {o.CriticalRefusedWhileSheddableAdmitted} of {o.Windows} {o.WindowMs:0} ms windows refused critical while admitting sheddable "
            + $"({o.CriticalFailedWhileSheddableAdmitted} failed critical in any way while admitting sheddable)",
        { ConnectionAge: { } c } => $"max age {c.MaxAgeSeconds:0.#} s: over {c.WindowSeconds:0.#} s from {2 * c.MaxAgeSeconds:0.#} s after the scale-out the replicas served "
            + $"{string.Join(", ", c.Shares.Select(s => s.ToString("P1", CultureInfo.InvariantCulture)))} of the calls (most uneven {c.MaxDeviationFromEven:P0} off a third); "
            + $"{c.Connections.Sum()} connections ({string.Join("/", c.Connections)}); {c.Failed:N0} of {c.Ok + c.Failed:N0} calls failed{(c.FirstFailure is { } f ? $" (first: {f})" : "")}",
        { Refusals: { } r } => $"server CPU per refused call {r.CpuMicrosPerRefusal:0.#} µs ({r.RefusedPerSecond:N0} refusals/s), per served call {r.CpuMicrosPerServedCall:0.#} µs ({r.ServedPerSecond:N0} OK/s): a refusal costs {r.RefusalVsServed:0.##}× a served call",
        _ => "no figures (the scenario stopped early)",
    };
}
