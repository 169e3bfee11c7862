using System.Text.Json;
using System.Text.Json.Serialization;
using GrpcMesh.LoadTest.Hosting;
using GrpcMesh.LoadTest.Load;
using GrpcMesh.LoadTest.Reporting;
using GrpcMesh.LoadTest.Scenarios;
using GrpcMesh.LoadTest.Scenarios.Traffic;

namespace GrpcMesh.LoadTest.Cli;

/// <summary>
/// The whole run: for each scenario start its servers, closed loop (max throughput), open loop at a fraction of
/// that max, stop the servers; then the tables, the targets and the JSON report.
/// Exit code 0 = every selected scenario ran and completed OK calls; 1 = a scenario failed; 2 = bad arguments.
/// </summary>
internal static class LoadTestCommand
{
    public const double BusyLoadAverage = 1.5;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter progressOutput, bool interactive, CancellationToken cancellationToken)
    {
        LoadTestOptions options;
        IReadOnlyList<Scenario> scenarios;
        try
        {
            if (args.Contains("--help") || args.Contains("-h"))
            {
                await output.WriteLineAsync(OptionsParser.Usage + ScenarioList());
                return 0;
            }

            options = OptionsParser.Parse(args);
            scenarios = ScenarioCatalog.Select(options.Scenarios, options.Traffic);
        }
        catch (ArgumentException ex)
        {
            await progressOutput.WriteLineAsync($"error: {ex.Message}\n\n{OptionsParser.Usage}{ScenarioList()}");
            return 2;
        }

        var repo = RepoLayout.Locate();
        var context = new ScenarioContext(repo, options, progressOutput);
        var progress = new ProgressReporter(progressOutput, interactive);
        var startedAt = DateTimeOffset.UtcNow;

        foreach (var project in scenarios.SelectMany(s => s.DotnetProjects).Distinct())
        {
            await repo.EnsureBuiltAsync(repo.Project(project), options.Build, progressOutput, cancellationToken);
        }

        // With --repeat, the scenario list runs again and again (interleaved, so a noisy minute hits every scenario
        // alike) and each scenario reports its median run.
        var runs = scenarios.ToDictionary(s => s.Name, _ => new List<ScenarioReport>());
        for (var round = 1; round <= options.Repeat; round++)
        {
            if (options.Repeat > 1)
            {
                await progressOutput.WriteLineAsync($"== round {round} of {options.Repeat}");
            }

            foreach (var scenario in scenarios)
            {
                runs[scenario.Name].Add(await RunScenarioAsync(scenario, context, progress, progressOutput, cancellationToken));
            }
        }

        var results = scenarios.Select(s => Median(runs[s.Name])).ToList();

        double? Rps(string? name) => results.FirstOrDefault(r => r.Name == name && r.Outcome == Outcomes.Ok)?.ClosedLoop?.OkPerSecond;
        results = [.. results.Select((r, i) => r with
        {
            ThroughputVsBaseline = Rps(scenarios[i].Baseline) is > 0 and var baseline && r.ClosedLoop is { } c ? Math.Round(c.OkPerSecond / baseline, 3) : null,
        })];

        var meshTax = scenarios.OfType<UserServiceScenario>()
            .Where(s => s.Without is not null && Rps(s.Name) is > 0 && Rps(UserServiceScenario.FullStack) is > 0)
            .Select(s => new MeshTaxReport(s.Without!.Name, s.Name, Rps(s.Name)!.Value, Rps(UserServiceScenario.FullStack)!.Value,
                Math.Round(Rps(UserServiceScenario.FullStack)!.Value / Rps(s.Name)!.Value, 3)))
            .ToList();
        var report = new LoadTestReport(startedAt, MachineInfo.Capture(), Settings(options, repo), results, Targets.Evaluate(results), meshTax);
        await output.WriteLineAsync();
        await output.WriteAsync(TableWriter.Render(report));

        var jsonPath = Path.GetFullPath(options.JsonPath ?? repo.PathOf(Path.Combine("artifacts", "bench", "loadtest.json")));
        Directory.CreateDirectory(Path.GetDirectoryName(jsonPath)!);
        await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(report, Json), cancellationToken);
        var svgPath = Path.ChangeExtension(jsonPath, ".svg");
        await File.WriteAllTextAsync(svgPath, SvgReport.Render(report), cancellationToken);
        await output.WriteLineAsync($"\nJSON report: {jsonPath}\nPicture: {svgPath}");

        return results.All(r => r.Outcome != Outcomes.Failed) ? 0 : 1;
    }

    private static async Task<ScenarioReport> RunScenarioAsync(
        Scenario scenario, ScenarioContext context, ProgressReporter progress, TextWriter log, CancellationToken cancellationToken)
    {
        var options = context.Options;
        if (await scenario.UnavailableReasonAsync(cancellationToken) is { } reason)
        {
            await log.WriteLineAsync($"[{scenario.Name}] skipped: {reason}");
            return new ScenarioReport(scenario.Name, scenario.Description, Outcomes.Skipped, reason, null, null, null, null, null, null);
        }

        var loadBefore = MachineInfo.LoadAverage();
        await log.WriteLineAsync($"[{scenario.Name}] starting: {scenario.Description} (load average {loadBefore?.OneMinute:0.00})");
        if (loadBefore?.OneMinute > BusyLoadAverage && !options.Smoke)
        {
            await log.WriteLineAsync($"[{scenario.Name}] warning: load average {loadBefore.OneMinute:0.00} > {BusyLoadAverage}; other work on this machine makes the numbers noisy")
                ;
        }

        if (scenario is TrafficScenario traffic)
        {
            return await TrafficRunner.RunAsync(traffic, context, progress, log, loadBefore, cancellationToken);
        }

        PhaseResult? closed = null, open = null;
        string? serverInfo = null;
        try
        {
            await using var running = await scenario.StartAsync(context, cancellationToken);
            serverInfo = running.ServerInfo;
            using var channels = new ChannelSet(running.Target, options.Connections);
            var calls = channels.Bind(running.Calls);
            if (options.Rate is null)
            {
                closed = await ClosedLoop.RunAsync(calls, options.Concurrency, options.Warmup, options.Duration, progress,
                    $"{scenario.Name} closed c={options.Concurrency}", cancellationToken);
            }
            else
            {
                // Warm up closed-loop (unrecorded): a cold server (JIT tiering, pools) offered a fixed rate falls behind
                // and an open loop never catches up again.
                _ = await ClosedLoop.RunAsync(calls, options.Concurrency, TimeSpan.Zero, options.Warmup, progress,
                    $"{scenario.Name} warm-up c={options.Concurrency}", cancellationToken);
            }

            var rate = options.Rate ?? (options.OpenLoopFraction > 0 && closed!.OkPerSecond > 0 ? closed.OkPerSecond * options.OpenLoopFraction : null);
            if (rate is { } r)
            {
                // The closed loop has warmed the server up already; a short settle period is enough.
                open = await OpenLoop.RunAsync(calls, r, TimeSpan.FromSeconds(Math.Min(1, options.Warmup.TotalSeconds)), options.Duration, progress,
                    $"{scenario.Name} open {r:N0}/s", cancellationToken);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            await log.WriteLineAsync($"[{scenario.Name}] FAILED: {ex.Message}");
            return new ScenarioReport(scenario.Name, scenario.Description, Outcomes.Failed, ex.Message, serverInfo, loadBefore,
                MachineInfo.LoadAverage(), Report(closed), Report(open), null);
        }

        var phases = new[] { closed, open }.OfType<PhaseResult>().ToList();
        var outcome = phases.All(p => p.Ok > 0) ? Outcomes.Ok : Outcomes.Failed;
        var error = outcome == Outcomes.Ok ? null : "no call completed OK: " + phases.Select(p => p.Statuses.FirstError).FirstOrDefault(e => e is not null);
        await log.WriteLineAsync($"[{scenario.Name}] done: " + string.Join(", ", phases.Select(p =>
            $"{p.Mode} {p.OkPerSecond:N0} OK req/s, {p.Failed:N0} failed")));
        return new ScenarioReport(scenario.Name, scenario.Description, outcome, error, serverInfo, loadBefore, MachineInfo.LoadAverage(),
            Report(closed), Report(open), null);
    }

    /// <summary>
    /// The run with the median OK req/s (closed loop, else open loop), carrying every run's req/s; a failed run
    /// makes the scenario failed.
    /// </summary>
    private static ScenarioReport Median(List<ScenarioReport> runs)
    {
        if (runs.FirstOrDefault(r => r.Outcome != Outcomes.Ok) is { } notOk)
        {
            return notOk;
        }

        static double Rps(ScenarioReport r) => r.ClosedLoop?.OkPerSecond ?? r.OpenLoop?.OkPerSecond ?? 0;
        var ordered = runs.OrderBy(Rps).ToList();
        return ordered[(ordered.Count - 1) / 2] with { RunsOkPerSecond = [.. runs.Select(Rps)] };
    }

    private static PhaseReport? Report(PhaseResult? result) => result is null ? null : PhaseReports.From(result);

    private static SettingsReport Settings(LoadTestOptions o, RepoLayout repo) => new(
        o.Warmup.TotalSeconds, o.Duration.TotalSeconds, o.Concurrency, o.Connections, o.Rate, o.OpenLoopFraction, o.Users, o.ZipfUsers, o.ZipfExponent,
        o.Smoke, repo.Configuration, o.PythonMode, o.Repeat, o.OverloadSlots, o.OverloadHold.TotalMilliseconds, o.OverloadDuration.TotalSeconds);

    private static string ScenarioList() =>
        "\nScenarios:\n" + string.Join("\n", ScenarioCatalog.All().Select(s => $"  {s.Name,-24} {s.Description}"
            + (s.InDefaultRun ? "" : " [only when named, or with --traffic]")));
}
