using System.Text.Json;
using System.Text.RegularExpressions;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Postgres;

namespace GrpcMesh.Deploy.Tests.Observability;

/// <summary>
/// deploy/observability/grafana/grpcmesh-dashboard.json: every panel query reads only series the committed recording
/// rules define, and parses as PromQL (promtool checks each as a recording rule of a scratch rule file, with the
/// dashboard's $service variable at its "All" value).
/// </summary>
public sealed partial class GrafanaDashboardTests : IDisposable
{
    private static readonly TimeSpan PromtoolTimeout = TimeSpan.FromMinutes(2);

    private readonly string _dir = Directory.CreateTempSubdirectory("grpcmesh-dashboard-").FullName;

    private static string Folder => RepoPaths.PathOf("deploy", "observability");

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Dashboard_EveryPanelQuery_ReadsRecordedSeriesAndParses()
    {
        var queries = PanelQueries().ToList();
        var recorded = RecordRule().Matches(await File.ReadAllTextAsync(Path.Combine(Folder, "grpcmesh-recording.rules.yml"), TestContext.Current.CancellationToken))
            .Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        Assert.True(queries.Count >= 10, $"only {queries.Count} panel queries");
        Assert.All(queries, query =>
        {
            var series = SeriesName().Matches(query).Select(m => m.Value).ToList();
            Assert.NotEmpty(series);
            Assert.All(series, name => Assert.True(recorded.Contains(name), $"'{query}' reads {name}, which no recording rule defines"));
        });

        var scratch = Path.Combine(_dir, "dashboard.rules.yml");
        await File.WriteAllLinesAsync(scratch,
            ["groups:", "  - name: dashboard", "    rules:", .. queries.SelectMany((q, i) => new[]
            {
                $"      - record: dashboard:query_{i}",
                $"        expr: {JsonSerializer.Serialize(q.Replace("$service", ".*", StringComparison.Ordinal))}",
            })],
            TestContext.Current.CancellationToken);
        var promtool = ProcessRunner.FindOnPath("promtool")
            ?? throw new InvalidOperationException("promtool not found: it comes with Debian's prometheus package (.ci/run installs it)");
        var result = await new ProcessRunner(runAsUser: null).RunAsync(promtool, ["check", "rules", scratch], PromtoolTimeout, new Dictionary<string, string?>());

        Assert.True(result.ExitCode == 0, $"promtool check rules of the dashboard's queries exited {result.ExitCode}:\n{result.Output}");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static IEnumerable<string> PanelQueries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "grafana", "grpcmesh-dashboard.json")));
        return dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(panel => panel.TryGetProperty("targets", out _))
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!)
            .ToList();
    }

    [GeneratedRegex(@"- record: (\S+)")]
    private static partial Regex RecordRule();

    [GeneratedRegex(@"grpcmesh:[a-z_:0-9]+")]
    private static partial Regex SeriesName();
}
