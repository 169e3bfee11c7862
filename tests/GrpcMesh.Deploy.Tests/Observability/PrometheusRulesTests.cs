using GrpcMesh.Testing;
using GrpcMesh.Testing.Postgres;

namespace GrpcMesh.Deploy.Tests.Observability;

/// <summary>
/// deploy/observability's Prometheus rules as Prometheus reads them: <c>promtool check rules</c> (syntax, PromQL, names)
/// and <c>promtool test rules</c> (the unit tests under tests/: synthetic series per alert, firing and quiet). promtool
/// comes with Debian's prometheus package (.ci/run installs it); .ci/run also runs both commands itself.
/// </summary>
public sealed class PrometheusRulesTests
{
    private static readonly TimeSpan PromtoolTimeout = TimeSpan.FromMinutes(2);

    private static string Folder => RepoPaths.PathOf("deploy", "observability");

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task PromtoolCheckRules_CommittedRuleFiles_AreValid()
    {
        var files = Directory.GetFiles(Folder, "*.rules.yml").Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(files);

        var result = await RunPromtoolAsync(["check", "rules", .. files]);

        Assert.True(result.ExitCode == 0, $"promtool check rules exited {result.ExitCode}:\n{result.Output}");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task PromtoolTestRules_EveryAlertAndRecordingTest_Passes()
    {
        var tests = Directory.GetFiles(Path.Combine(Folder, "tests"), "*.test.yml").Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(tests);

        var result = await RunPromtoolAsync(["test", "rules", .. tests]);

        Assert.True(result.ExitCode == 0, $"promtool test rules exited {result.ExitCode}:\n{result.Output}");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public Task RuleTests_EveryAlert_HasAFiringAndAQuietCase() => TestTimeouts.RunSync(() =>
    {
        var alerts = File.ReadLines(Path.Combine(Folder, "grpcmesh-alerts.rules.yml"))
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("- alert: ", StringComparison.Ordinal))
            .Select(line => line["- alert: ".Length..])
            .ToArray();
        var tests = Directory.GetFiles(Path.Combine(Folder, "tests"), "*.test.yml").Select(File.ReadAllLines).SelectMany(lines => lines).ToArray();

        Assert.NotEmpty(alerts);
        Assert.All(alerts, alert =>
        {
            var checks = tests.Select((line, i) => (line, i))
                .Where(t => t.line.Trim() == $"alertname: {alert}")
                .Select(t => tests[t.i + 1].Trim())
                .ToArray();
            Assert.True(checks.Any(next => next == "exp_alerts:"), $"{alert}: no test expects it to fire");
            Assert.True(checks.Any(next => next == "exp_alerts: []"), $"{alert}: no test expects it to stay quiet");
        });
    }, TestContext.Current.CancellationToken);

    private static async Task<ProcessResult> RunPromtoolAsync(IReadOnlyList<string> arguments)
    {
        var promtool = ProcessRunner.FindOnPath("promtool")
            ?? throw new InvalidOperationException("promtool not found: it comes with Debian's prometheus package (.ci/run installs it)");
        return await new ProcessRunner(runAsUser: null).RunAsync(promtool, arguments, PromtoolTimeout, new Dictionary<string, string?>());
    }
}
