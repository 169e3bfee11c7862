using System.Globalization;
using System.Text;

namespace GrpcMesh.LoadTest.Reporting;

/// <summary>The human-readable summary: throughput and latency per scenario, ratios to the baseline, targets.</summary>
internal static class TableWriter
{
    public static string Render(LoadTestReport report)
    {
        var s = report.Settings;
        var text = new StringBuilder();
        var m = report.Machine;
        Line(text, $"Machine: {m.ProcessorCount} cores ({m.CpuModel ?? "unknown CPU"}), {m.MemoryGiB?.ToString("0.#", CultureInfo.InvariantCulture) ?? "?"} GiB, {m.Os}, {m.Runtime}");
        Line(text, $"Settings: warm-up {s.WarmupSeconds:0.#} s, measured {s.DurationSeconds:0.#} s per phase, {s.Connections} HTTP/2 connections, "
            + (s.Rate is { } rate ? $"open loop at {rate:N0} req/s" : $"closed loop concurrency {s.Concurrency}, open loop at {s.OpenLoopFraction:P0} of each max")
            + $", {s.Users} users (-zipf: {s.ZipfUsers:N0}, s = {s.ZipfExponent}), servers built {s.Configuration}"
            + (s.Repeat > 1 ? $", median of {s.Repeat} interleaved runs" : "")
            + (s.Smoke ? ", SMOKE (numbers meaningless)" : ""));
        text.AppendLine();

        var closed = report.Scenarios.Where(r => r.ClosedLoop is not null).ToList();
        if (closed.Count > 0)
        {
            Line(text, $"Closed loop (max throughput; latency of OK calls in ms):");
            Line(text, $"  {"scenario",-24} {"OK req/s",10} {"× base",7} {"p50",8} {"p90",8} {"p99",8} {"p99.9",8} {"failed",8}  {"load avg",8}");
            foreach (var r in closed)
            {
                var p = r.ClosedLoop!;
                Line(text, $"  {r.Name,-24} {p.OkPerSecond,10:N0} {Ratio(r.ThroughputVsBaseline),7} {p.LatencyMs.P50,8:0.000} {p.LatencyMs.P90,8:0.000} {p.LatencyMs.P99,8:0.000} {p.LatencyMs.P999,8:0.000} {p.Failed,8:N0}  {r.LoadBefore?.OneMinute,8:0.00}");
            }

            text.AppendLine();
        }

        if (report.MeshTax.Count > 0)
        {
            Line(text, "Mesh tax (closed loop; what the full stack keeps of the req/s without each feature; a negative tax: the feature makes it faster):");
            Line(text, $"  {"feature",-12} {"without it",10} {"full stack",10} {"kept",7} {"tax",7}");
            foreach (var t in report.MeshTax)
            {
                Line(text, $"  {t.Feature,-12} {t.WithoutOkPerSecond,10:N0} {t.FullOkPerSecond,10:N0} {t.FullVsWithout,7:0.00} {1 - t.FullVsWithout,7:P0}");
            }

            text.AppendLine();
        }

        var open = report.Scenarios.Where(r => r.OpenLoop is not null).ToList();
        if (open.Count > 0)
        {
            Line(text, s.Rate is null ? $"Open loop at {s.OpenLoopFraction:P0} of each scenario's max (latency from the intended send time, ms):" : "Open loop (ms):");
            Line(text, $"  {"scenario",-24} {"rate",10} {"OK req/s",10} {"p50",8} {"p90",8} {"p99",8} {"p99.9",8} {"failed",8} {"not sent",8}");
            foreach (var r in open)
            {
                var p = r.OpenLoop!;
                Line(text, $"  {r.Name,-24} {p.TargetRps,10:N0} {p.OkPerSecond,10:N0} {p.LatencyMs.P50,8:0.000} {p.LatencyMs.P90,8:0.000} {p.LatencyMs.P99,8:0.000} {p.LatencyMs.P999,8:0.000} {p.Failed,8:N0} {p.NotSent,8:N0}");
            }

            text.AppendLine();
        }

        // Traffic scenarios show their statuses per phase in their own section.
        foreach (var r in report.Scenarios.Where(r => r.Traffic is null || r.Outcome != Outcomes.Ok))
        {
            var statuses = new[] { r.ClosedLoop, r.OpenLoop }.OfType<PhaseReport>()
                .Select(p => $"{p.Mode}: {string.Join(" ", p.Statuses.Select(kv => $"{kv.Key}={kv.Value:N0}"))}{(p.FirstError is null ? "" : $" (first error: {p.FirstError})")}");
            var detail = r.Outcome == Outcomes.Ok ? string.Join("; ", statuses) : $"{r.Outcome.ToUpperInvariant()}: {r.Error}";
            Line(text, $"  {r.Name,-24} {detail}");
            if (r.ServerInfo is not null)
            {
                Line(text, $"  {"",-24} server: {r.ServerInfo}");
            }

            if (r.RunsOkPerSecond is { Count: > 1 } all)
            {
                Line(text, $"  {"",-24} OK req/s of each run: {string.Join(", ", all.Select(v => v.ToString("N0", CultureInfo.InvariantCulture)))}");
            }
        }

        text.AppendLine();
        TrafficTable.Render(text, report.Scenarios);
        Line(text, "Targets:");
        foreach (var t in report.Targets)
        {
            var verdict = t.Met switch { true => "met", false => "MISSED", null => "not measured" };
            var measured = t.Measured?.ToString("0.###", CultureInfo.InvariantCulture) ?? "-";
            Line(text, $"  {t.Name,-66} {measured,8} {t.Comparison} {t.Threshold.ToString(CultureInfo.InvariantCulture),-5} {verdict}");
        }

        return text.ToString();
    }

    private static string Ratio(double? ratio) => ratio?.ToString("0.00", CultureInfo.InvariantCulture) ?? "-";

    // The build sets InvariantGlobalization, so interpolation already formats numbers culture-independently.
    private static void Line(StringBuilder text, string line) => text.AppendLine(line);
}
