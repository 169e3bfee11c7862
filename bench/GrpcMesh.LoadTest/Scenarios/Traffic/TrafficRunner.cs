using GrpcMesh.LoadTest.Load;
using GrpcMesh.LoadTest.Reporting;

namespace GrpcMesh.LoadTest.Scenarios.Traffic;

/// <summary>Runs a traffic scenario and turns it into the run's scenario report (failed if a phase that was not meant to be refused had no OK call).</summary>
internal static class TrafficRunner
{
    public static async Task<ScenarioReport> RunAsync(
        TrafficScenario scenario, ScenarioContext context, ProgressReporter progress, TextWriter log, LoadAverage? loadBefore,
        CancellationToken cancellationToken)
    {
        TrafficReport traffic;
        try
        {
            traffic = await scenario.RunAsync(context, progress, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            await log.WriteLineAsync($"[{scenario.Name}] FAILED: {ex.Message}");
            return new ScenarioReport(scenario.Name, scenario.Description, Outcomes.Failed, ex.Message, null, loadBefore,
                MachineInfo.LoadAverage(), null, null, null);
        }

        var empty = traffic.Phases.FirstOrDefault(p => p.Load.Ok == 0 && !p.RefusalsExpected);
        var phases = string.Join(", ", traffic.Phases.Select(p => $"{p.Name} {p.Load.OkPerSecond:N0} OK req/s, {p.Load.Failed:N0} failed"));
        await log.WriteLineAsync($"[{scenario.Name}] done" + (phases.Length > 0 ? ": " + phases : ""));
        return new ScenarioReport(scenario.Name, scenario.Description, empty is null ? Outcomes.Ok : Outcomes.Failed,
            empty is null ? null : $"no call completed OK in phase {empty.Name}: {empty.Load.FirstError}", null, loadBefore,
            MachineInfo.LoadAverage(), null, null, null, Traffic: traffic);
    }
}
