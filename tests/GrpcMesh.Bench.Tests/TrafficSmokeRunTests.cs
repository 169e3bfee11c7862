using System.Text.Json;
using GrpcMesh.LoadTest.Cli;
using GrpcMesh.Testing;

namespace GrpcMesh.Bench.Tests;

/// <summary>
/// Runs every traffic-management scenario in --smoke mode (replica servers as separate processes, the real mesh client,
/// about a second per phase): each must finish with OK calls in every phase and report its figures. The numbers
/// themselves are meaningless at this length and on a busy machine, so only their presence and plain consistency
/// (the replicas served at least one attempt per call) are checked.
/// </summary>
public sealed class TrafficSmokeRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("grpcmesh-bench-traffic-tests-").FullName;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task RunAsync_SmokeTraffic_EveryScenarioReportsPhasesFiguresAndTargets()
    {
        var jsonPath = Path.Combine(_dir, "traffic.json");
        var output = new StringWriter();
        var progress = new StringWriter();

        var exitCode = await LoadTestCommand.RunAsync(["--smoke", "--traffic", "--json", jsonPath], output, progress, interactive: false,
            TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{output}\n{progress}");
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath, TestContext.Current.CancellationToken));
        var scenarios = report.RootElement.GetProperty("scenarios").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        Assert.Equal(["lb-round-robin", "lb-least-loaded", "hedging-off", "hedging-on", "hedging-nostall", "overload", "connection-age", "refusals"], scenarios.Keys);
        foreach (var (name, scenario) in scenarios)
        {
            Assert.Equal("ok", scenario.GetProperty("outcome").GetString());
            foreach (var phase in scenario.GetProperty("traffic").GetProperty("phases").EnumerateArray())
            {
                Assert.True(phase.GetProperty("refusalsExpected").GetBoolean() || phase.GetProperty("load").GetProperty("ok").GetInt64() > 0,
                    $"{name} {phase.GetProperty("name")}: no OK call");
                if (phase.GetProperty("attemptsPerCall") is { ValueKind: JsonValueKind.Number } attempts)
                {
                    Assert.True(attempts.GetDouble() >= 1, $"{name}: {attempts} attempts per call");
                }
            }
        }

        var balancing = scenarios["lb-round-robin"].GetProperty("traffic").GetProperty("balancing");
        Assert.InRange(balancing.GetProperty("slowReplicaShare").GetDouble(), 0.01, 0.99);
        var phases = scenarios["lb-least-loaded"].GetProperty("traffic").GetProperty("phases").EnumerateArray().ToList();
        Assert.Equal(["all-healthy", "one-slow"], phases.Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(3, phases[1].GetProperty("servedByReplica").EnumerateObject().Count());
        Assert.DoesNotContain("Auth:Token", phases[1].GetProperty("clientSettings").GetRawText(), StringComparison.Ordinal);
        var hedging = scenarios["hedging-on"].GetProperty("traffic").GetProperty("hedging");
        Assert.True(hedging.GetProperty("enabled").GetBoolean());
        Assert.Equal(300, hedging.GetProperty("rate").GetDouble()); // --smoke's open loop
        var saturated = scenarios["hedging-on"].GetProperty("traffic").GetProperty("phases")[1].GetProperty("load").GetProperty("okPerSecond").GetDouble();
        Assert.Equal(saturated, hedging.GetProperty("saturatedOkPerSecond").GetDouble());
        Assert.Equal(Math.Round(300 / saturated, 3), hedging.GetProperty("rateVsSaturated").GetDouble());
        Assert.Equal(["hedged", "hedged-saturated"], scenarios["hedging-on"].GetProperty("traffic").GetProperty("phases").EnumerateArray()
            .Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(["a", "b", "c"], scenarios["hedging-nostall"].GetProperty("traffic").GetProperty("phases")[0].GetProperty("servedByReplica")
            .EnumerateObject().Select(p => p.Name));
        var overload = scenarios["overload"].GetProperty("traffic").GetProperty("overload");
        Assert.True(overload.GetProperty("peakOkPerSecond").GetDouble() > 0);
        Assert.True(overload.GetProperty("windows").GetInt32() > 0);
        var byCriticality = scenarios["overload"].GetProperty("traffic").GetProperty("phases")[2].GetProperty("byCriticality");
        Assert.Equal(["critical", "sheddable"], byCriticality.EnumerateObject().Select(p => p.Name));

        var refusals = scenarios["refusals"].GetProperty("traffic");
        Assert.Equal(0, refusals.GetProperty("phases")[0].GetProperty("load").GetProperty("ok").GetInt64());
        Assert.True(refusals.GetProperty("phases")[0].GetProperty("load").GetProperty("failed").GetInt64() > 0, refusals.ToString());
        var refusalFigures = refusals.GetProperty("refusals");
        Assert.True(refusalFigures.GetProperty("cpuMicrosPerRefusal").GetDouble() > 0, refusalFigures.ToString());
        Assert.True(refusalFigures.GetProperty("cpuMicrosPerServedCall").GetDouble() > 0, refusalFigures.ToString());

        var connectionAge = scenarios["connection-age"].GetProperty("traffic").GetProperty("connectionAge");
        Assert.Equal(3, connectionAge.GetProperty("shares").GetArrayLength());
        Assert.InRange(connectionAge.GetProperty("shares").EnumerateArray().Sum(s => s.GetDouble()), 0.999, 1.001);
        Assert.True(connectionAge.GetProperty("ok").GetInt64() > 0, connectionAge.ToString());
        Assert.True(connectionAge.GetProperty("connections").EnumerateArray().Sum(c => c.GetInt32()) >= 2, $"no reconnection after the max age: {connectionAge}");

        var text = output.ToString();
        Assert.Contains("Traffic management (issue 18", text, StringComparison.Ordinal);
        Assert.Contains("least_loaded: share of calls to the replica slowed by 50 ms", text, StringComparison.Ordinal);
        Assert.Contains("overload: critical calls refused while a sheddable call ran", text, StringComparison.Ordinal);
        Assert.Contains("connection age: most uneven replica share", text, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
