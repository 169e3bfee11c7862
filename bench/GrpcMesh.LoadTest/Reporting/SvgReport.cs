using System.Globalization;
using System.Net;
using System.Text;

namespace GrpcMesh.LoadTest.Reporting;

/// <summary>
/// The report as a picture (written next to the JSON): closed-loop throughput per scenario as bars, and the open loop's
/// latency percentiles (p50 → p99.9, log scale) as one curve per scenario.
/// </summary>
internal static class SvgReport
{
    private const int Width = 900;
    private const int Left = 170;
    private const int BarHeight = 22;
    private const int CurveHeight = 300;

    private static readonly string[] Colors = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

    public static string Render(LoadTestReport report)
    {
        var closed = report.Scenarios.Where(s => s.ClosedLoop is not null).ToList();
        var open = report.Scenarios.Where(s => s.OpenLoop is { Ok: > 0 }).ToList();
        var barsTop = 60;
        var curvesTop = barsTop + closed.Count * (BarHeight + 6) + 70;
        var height = curvesTop + CurveHeight + 40 + open.Count * 18;
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">"));
        svg.Append(Invariant($"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>"));
        Text(svg, 10, 20, $"GrpcMesh load test, {report.StartedAt:yyyy-MM-dd HH:mm} UTC, {report.Machine.ProcessorCount} cores" + (report.Settings.Smoke ? " (SMOKE: numbers meaningless)" : ""), 14, "bold");
        Text(svg, 10, barsTop - 12, "Closed loop: OK req/s (× its baseline)", 13, "bold");
        Bars(svg, closed, barsTop);
        Text(svg, 10, curvesTop - 12, $"Open loop at {report.Settings.OpenLoopFraction:P0} of each max: latency percentiles (ms, log scale)", 13, "bold");
        Curves(svg, open, curvesTop);
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static void Bars(StringBuilder svg, IReadOnlyList<ScenarioReport> scenarios, int top)
    {
        // A run with only open loops (--rate) or only traffic scenarios has no bars.
        var max = scenarios.Select(s => s.ClosedLoop!.OkPerSecond).DefaultIfEmpty(0).Max();
        var span = Width - Left - 130;
        for (var i = 0; i < scenarios.Count; i++)
        {
            var s = scenarios[i];
            var y = top + i * (BarHeight + 6);
            var width = max > 0 ? s.ClosedLoop!.OkPerSecond / max * span : 0;
            Text(svg, 10, y + 15, s.Name);
            svg.Append(Invariant($"<rect x=\"{Left}\" y=\"{y}\" width=\"{width:0.#}\" height=\"{BarHeight}\" fill=\"{Colors[i % Colors.Length]}\"/>"));
            var ratio = s.ThroughputVsBaseline is { } r ? Invariant($" (×{r:0.00})") : "";
            Text(svg, Left + (int)width + 6, y + 15, Invariant($"{s.ClosedLoop!.OkPerSecond:N0}{ratio}"));
        }
    }

    private static void Curves(StringBuilder svg, IReadOnlyList<ScenarioReport> scenarios, int top)
    {
        string[] labels = ["p50", "p90", "p99", "p99.9"];
        var values = scenarios.Select(s => new[] { s.OpenLoop!.LatencyMs.P50, s.OpenLoop.LatencyMs.P90, s.OpenLoop.LatencyMs.P99, s.OpenLoop.LatencyMs.P999 }).ToList();
        var all = values.SelectMany(v => v).Where(v => v > 0).DefaultIfEmpty(1).ToList();
        var low = Math.Floor(Math.Log10(all.Min()));
        var high = Math.Max(Math.Ceiling(Math.Log10(all.Max())), low + 1);
        double Y(double ms) => top + CurveHeight - (Math.Log10(Math.Max(ms, Math.Pow(10, low))) - low) / (high - low) * CurveHeight;
        double X(int i) => Left + i * (Width - Left - 60) / (labels.Length - 1.0);

        for (var decade = low; decade <= high; decade++)
        {
            var y = Y(Math.Pow(10, decade));
            svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Width - 60}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/>"));
            Text(svg, Left - 60, (int)y + 4, Invariant($"{Math.Pow(10, decade):0.###} ms"));
        }

        for (var i = 0; i < labels.Length; i++)
        {
            Text(svg, (int)X(i) - 12, top + CurveHeight + 18, labels[i]);
        }

        for (var s = 0; s < scenarios.Count; s++)
        {
            var color = Colors[s % Colors.Length];
            var points = string.Join(" ", values[s].Select((v, i) => Invariant($"{X(i):0.#},{Y(v):0.#}")));
            svg.Append(Invariant($"<polyline points=\"{points}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>"));
            var legendY = top + CurveHeight + 40 + s * 18;
            svg.Append(Invariant($"<rect x=\"{Left}\" y=\"{legendY - 10}\" width=\"12\" height=\"12\" fill=\"{color}\"/>"));
            Text(svg, Left + 18, legendY, Invariant($"{scenarios[s].Name}: p50 {values[s][0]:0.###}, p99 {values[s][2]:0.###} ms at {scenarios[s].OpenLoop!.TargetRps:N0} req/s"));
        }
    }

    private static void Text(StringBuilder svg, int x, int y, string text, int size = 12, string weight = "normal") =>
        svg.Append(Invariant($"<text x=\"{x}\" y=\"{y}\" font-size=\"{size}\" font-weight=\"{weight}\">{WebUtility.HtmlEncode(text)}</text>"));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
