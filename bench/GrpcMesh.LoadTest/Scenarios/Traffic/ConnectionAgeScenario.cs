using System.Globalization;
using System.Text.Json;
using GrpcMesh.LoadTest.Hosting;
using GrpcMesh.LoadTest.Load;
using GrpcMesh.LoadTest.Reporting;

namespace GrpcMesh.LoadTest.Scenarios.Traffic;

/// <summary>
/// <c>connection-age</c>: what <c>Connections:MaxAge</c> (gRPC A9) does for a client that keeps one HTTP/2 connection.
/// Three replicas with a max age of <see cref="MaxAge"/>; the interop suite's Python script
/// (<see cref="Script"/>, Debian's grpcio) runs one channel through a per-connection round-robin TCP balancer (what a
/// Kubernetes Service is) with only the first replica behind it, then all three ("scale-out"), and from 2 × the max age
/// on counts the calls each replica served (Health.Check, read from the replicas' Prometheus endpoints) over
/// <see cref="WindowAges"/> max ages (3 with <c>--smoke</c>).
/// </summary>
internal sealed class ConnectionAgeScenario() : TrafficScenario(
    "connection-age", $"Python grpcio, one channel through a per-connection balancer, 1 → 3 replicas, Connections:MaxAge {MaxAge.TotalSeconds:0} s")
{
    public const string Script = "tests/interop/python/connection_age_spread.py";
    public const int WindowAges = 24;

    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    public override Task<string?> UnavailableReasonAsync(CancellationToken cancellationToken) => DebianPython.UnavailableReasonAsync(cancellationToken);

    public override async Task<TrafficReport> RunAsync(ScenarioContext context, ProgressReporter progress, CancellationToken cancellationToken)
    {
        string[] names = ["a", "b", "c"];
        var metricsPorts = names.ToDictionary(name => name, _ => FreePort.Next());
        await using var replicas = await ReplicaSet.StartAsync(context, Name,
            [.. names.Select(name => new ReplicaSpec(name, "--Connections:MaxAge", MaxAge.ToString(),
                "--Telemetry:PrometheusAddress", "127.0.0.1", "--Telemetry:PrometheusPort", metricsPorts[name].ToString(CultureInfo.InvariantCulture)))],
            cancellationToken);

        var windowAges = context.Options.Smoke ? 3 : WindowAges;
        await context.Log.WriteLineAsync($"[{Name}] scale-out 1 → 3, counting over {windowAges} max ages from {2 * MaxAge.TotalSeconds:0} s after it");
        var (exitCode, output, errors) = await DebianPython.RunAsync(
            [context.Repo.PathOf(Script),
                "--backends", string.Join(',', names.Select(name => $"127.0.0.1:{replicas.Address(name).Port}")),
                "--metrics", string.Join(',', names.Select(name => $"http://127.0.0.1:{metricsPorts[name]}/metrics")),
                "--max-age", MaxAge.TotalSeconds.ToString(CultureInfo.InvariantCulture),
                "--window-ages", windowAges.ToString(CultureInfo.InvariantCulture)],
            context.Repo.Root, MaxAge * (windowAges + 3) + TimeSpan.FromSeconds(60), cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{Script} exited with {exitCode}: {errors.Trim()}");
        }

        return new TrafficReport([], ConnectionAge: Figures(output.Trim().Split('\n')[^1]));
    }

    /// <summary>The script's JSON summary line as figures; a run in which no call succeeded is a failed scenario.</summary>
    internal static ConnectionAgeFigures Figures(string summaryLine)
    {
        using var summary = JsonDocument.Parse(summaryLine);
        var root = summary.RootElement;
        var calls = root.GetProperty("calls").EnumerateArray().Select(c => c.GetDouble()).ToList();
        var shares = root.GetProperty("shares").EnumerateArray().Select(s => s.GetDouble()).ToList();
        var ok = root.GetProperty("ok").GetInt64();
        if (ok == 0 || calls.Sum() == 0)
        {
            throw new InvalidOperationException($"no call succeeded: {summaryLine}");
        }

        var even = 1.0 / shares.Count;
        return new ConnectionAgeFigures(
            MaxAge.TotalSeconds,
            root.GetProperty("window_seconds").GetDouble(),
            calls,
            shares.Select(s => Math.Round(s, 4)).ToList(),
            Math.Round(shares.Max(s => Math.Abs(s - even)) / even, 3),
            [.. root.GetProperty("connections").EnumerateArray().Select(c => c.GetInt32())],
            ok,
            root.GetProperty("failure_count").GetInt64(),
            root.GetProperty("failures").EnumerateArray().Select(f => f.GetString()).FirstOrDefault());
    }
}
