using System.Text.Json;
using System.Xml.Linq;
using GrpcMesh.LoadTest.Cli;
using GrpcMesh.Testing;

namespace GrpcMesh.Bench.Tests;

/// <summary>
/// Runs the real harness in --smoke mode: it builds/starts the baseline server as a separate process on a free
/// port, loads it closed- and open-loop for about a second each (cycling keys, then Zipf keys) and writes the JSON
/// report and its picture.
/// </summary>
public sealed class SmokeRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("grpcmesh-bench-tests-").FullName;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task RunAsync_SmokeAgainstEveryBaselineTwice_CompletesOkCallsAndWritesParsableReportAndPicture()
    {
        var jsonPath = Path.Combine(_dir, "report.json");
        var output = new StringWriter();
        var progress = new StringWriter();

        var exitCode = await LoadTestCommand.RunAsync(
            ["--smoke", "--scenarios", "baseline,baseline-zipf,baseline-orders", "--repeat", "2", "--json", jsonPath], output, progress, interactive: false,
            TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{output}\n{progress}");
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath, TestContext.Current.CancellationToken));
        var scenarios = report.RootElement.GetProperty("scenarios").EnumerateArray().ToList();
        Assert.Equal(["baseline", "baseline-zipf", "baseline-orders"], scenarios.Select(s => s.GetProperty("name").GetString()));
        foreach (var scenario in scenarios)
        {
            Assert.Equal("ok", scenario.GetProperty("outcome").GetString());
            Assert.Equal(1.0, scenario.GetProperty("throughputVsBaseline").GetDouble());
            var runs = scenario.GetProperty("runsOkPerSecond").EnumerateArray().Select(r => r.GetDouble()).ToList();
            Assert.Equal(2, runs.Count);
            Assert.Contains(scenario.GetProperty("closedLoop").GetProperty("okPerSecond").GetDouble(), runs);
            foreach (var phase in new[] { "closedLoop", "openLoop" })
            {
                var result = scenario.GetProperty(phase);
                var ok = result.GetProperty("statuses").GetProperty("OK").GetInt64();
                Assert.True(ok > 0, $"{phase}: no OK calls");
                Assert.Equal(ok, result.GetProperty("ok").GetInt64());
                Assert.Equal(0, result.GetProperty("failed").GetInt64());
                Assert.True(result.GetProperty("latencyMs").GetProperty("p99").GetDouble() > 0, $"{phase}: no latency recorded");
            }
        }

        Assert.Contains("baseline-zipf", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Targets:", output.ToString(), StringComparison.Ordinal);
        var picture = XDocument.Load(Path.ChangeExtension(jsonPath, ".svg"));
        XNamespace svg = "http://www.w3.org/2000/svg";
        Assert.Equal(3, picture.Descendants(svg + "polyline").Count()); // one latency curve per scenario
        Assert.Contains(picture.Descendants(svg + "text"), t => t.Value.StartsWith("baseline-zipf: p50", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task RunAsync_SmokeJsonGetUser_OkCallsThroughTheHttpEdgeDividedByGrpcGetUser()
    {
        var jsonPath = Path.Combine(_dir, "json.json");
        var output = new StringWriter();
        var progress = new StringWriter();

        var exitCode = await LoadTestCommand.RunAsync(
            ["--smoke", "--scenarios", "userservice,userservice-json", "--json", jsonPath], output, progress, interactive: false,
            TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{output}\n{progress}");
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath, TestContext.Current.CancellationToken));
        var json = Assert.Single(report.RootElement.GetProperty("scenarios").EnumerateArray(), s => s.GetProperty("name").GetString() == "userservice-json");
        Assert.Equal("ok", json.GetProperty("outcome").GetString());
        Assert.True(json.GetProperty("throughputVsBaseline").GetDouble() > 0, $"not divided by userservice: {json}");
        foreach (var phase in new[] { "closedLoop", "openLoop" })
        {
            var result = json.GetProperty(phase);
            Assert.True(result.GetProperty("statuses").GetProperty("OK").GetInt64() > 0, $"{phase}: no OK JSON calls");
            Assert.Equal(0, result.GetProperty("failed").GetInt64());
        }

        Assert.Contains("JSON API at http://127.0.0.1:", output.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task RunAsync_UnknownScenario_ReturnsUsageErrorWithoutStartingAnything()
    {
        var output = new StringWriter();
        var progress = new StringWriter();

        var exitCode = await LoadTestCommand.RunAsync(["--scenarios", "nope"], output, progress, interactive: false,
            TestContext.Current.CancellationToken);

        Assert.Equal(2, exitCode);
        Assert.Contains("unknown scenario(s) nope", progress.ToString(), StringComparison.Ordinal);
        Assert.Contains("baseline", progress.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
