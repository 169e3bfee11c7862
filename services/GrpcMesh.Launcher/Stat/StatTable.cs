using System.Globalization;
using System.Text;

namespace GrpcMesh.Launcher.Stat;

/// <summary>Writes a <see cref="MeshStat"/> as aligned plain-text tables, like <c>linkerd viz stat</c>.</summary>
internal static class StatTable
{
    private static readonly bool[] Numbers = [false, false, true, true, true, true];

    public static string Render(MeshStat stat, DateTimeOffset at, TimeSpan interval, IReadOnlyList<string> problems)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"GrpcMesh stat · {at:yyyy-MM-dd HH:mm:ss} UTC · calls finished in the last {interval.TotalSeconds:0.#} s");
        text.AppendLine();
        Table(text, ["SERVICE", "METHOD", "RPS", "SUCCESS", "P50", "P99"], Numbers,
            stat.Inbound.OrderBy(r => r.Service, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal).Select(Cells),
            "no calls served yet");
        text.AppendLine();
        Table(text, ["CALLER", "CALLS TO", "RPS", "SUCCESS", "P50", "P99"], Numbers,
            stat.Outbound.OrderBy(r => r.Service, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal).Select(Cells),
            "no outgoing calls yet");
        text.AppendLine();
        Table(text, ["CALLER", "TARGET", "BREAKER", "REJECTED/S", "RETRIES/S", "ENDPOINTS"], [false, false, false, true, true, false],
            stat.Targets.Select(t => new[] { t.Caller, t.Target, t.Breaker, Rate(t.RejectionsPerSecond), Rate(t.RetriesPerSecond), t.Endpoints }),
            "no outgoing calls yet: no breaker or endpoint to show");
        foreach (var problem in problems)
        {
            text.AppendLine().Append("! ").AppendLine(problem);
        }

        return text.ToString();
    }

    private static string[] Cells(MethodRow row) =>
        [row.Service, row.Method, Rate(row.Rps), row.Success is { } s ? (s * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "-", Latency(row.P50), Latency(row.P99)];

    private static string Rate(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Latency(double? seconds) => seconds switch
    {
        null => "-",
        < 1 => (seconds.Value * 1000).ToString("0.0", CultureInfo.InvariantCulture) + "ms",
        _ => seconds.Value.ToString("0.00", CultureInfo.InvariantCulture) + "s",
    };

    private static void Table(StringBuilder text, string[] header, bool[] rightAligned, IEnumerable<string[]> rows, string empty)
    {
        var all = rows.Prepend(header).ToList();
        if (all.Count == 1)
        {
            text.AppendLine(string.Join("  ", header)).AppendLine(CultureInfo.InvariantCulture, $"({empty})");
            return;
        }

        var widths = header.Select((_, i) => all.Max(r => i < r.Length ? r[i].Length : 0)).ToArray();
        foreach (var row in all)
        {
            var cells = row.Select((cell, i) => rightAligned[i] ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]));
            text.AppendLine(string.Join("  ", cells).TrimEnd());
        }
    }
}
