namespace GrpcMesh.Launcher.Stat;

/// <summary>Golden signals of one method over the interval between two scrapes (null: no call finished in it).</summary>
internal sealed record MethodRow(string Service, string Method, double Rps, double? Success, double? P50, double? P99);

/// <summary>A client's view of one target address: its circuit breaker and, for balanced targets, its endpoints.</summary>
internal sealed record TargetRow(string Caller, string Target, string Breaker, double RejectionsPerSecond, double RetriesPerSecond, string Endpoints);

/// <summary>
/// What <c>stat</c> shows, computed from two scrapes of each service's /metrics: per method the calls finished per
/// second, the success rate (failures are UNKNOWN, DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE, DATA_LOSS — the codes the
/// recording rules count) and p50/p99 interpolated in the histogram buckets as Prometheus' histogram_quantile does;
/// inbound (server side, grpc.* services left out) and outbound (each service's calls to others, after retries).
/// </summary>
internal sealed record MeshStat(IReadOnlyList<MethodRow> Inbound, IReadOnlyList<MethodRow> Outbound, IReadOnlyList<TargetRow> Targets)
{
    private const string Server = "rpc_server_call_duration_seconds";
    private const string Client = "rpc_client_call_duration_seconds";
    private static readonly HashSet<string> FailureCodes = ["2", "4", "13", "14", "15"];

    public static MeshStat Compute(IReadOnlyList<(string Name, IReadOnlyList<Sample> Before, IReadOnlyList<Sample> After)> scrapes, TimeSpan elapsed)
    {
        var inbound = new List<MethodRow>();
        var outbound = new List<MethodRow>();
        var targets = new List<TargetRow>();
        foreach (var (name, before, after) in scrapes)
        {
            var deltas = Deltas(before, after);
            inbound.AddRange(Methods(deltas, Server, elapsed, name));
            outbound.AddRange(Methods(deltas, Client, elapsed, name));
            targets.AddRange(TargetRows(name, after, deltas, elapsed));
        }

        return new MeshStat(inbound, outbound, targets);
    }

    // Per series (name + labels), the increase between the scrapes; a series new in the second scrape counts whole, and so
    // does one that went down (the process restarted).
    private static List<(Sample Sample, double Delta)> Deltas(IReadOnlyList<Sample> before, IReadOnlyList<Sample> after)
    {
        var previous = before.GroupBy(Key).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        return after.Select(s => (s, previous.TryGetValue(Key(s), out var old) && old <= s.Value ? s.Value - old : s.Value)).ToList();
    }

    private static string Key(Sample sample) =>
        sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";

    private static IEnumerable<MethodRow> Methods(List<(Sample Sample, double Delta)> deltas, string histogram, TimeSpan elapsed, string owner)
    {
        // grpc.* services (health, reflection) are the platform's, not the mesh's: left out as the SLOs leave them out.
        var counts = deltas.Where(d => d.Sample.Name == histogram + "_count" && !d.Sample.Label("rpc_service").StartsWith("grpc.", StringComparison.Ordinal)).ToList();
        var buckets = deltas.Where(d => d.Sample.Name == histogram + "_bucket").ToList();
        foreach (var method in counts.GroupBy(d => (Service: d.Sample.Label("rpc_service"), Method: d.Sample.Label("rpc_method"))))
        {
            var calls = method.Sum(d => d.Delta);
            var failures = method.Where(d => FailureCodes.Contains(d.Sample.Label("rpc_grpc_status_code"))).Sum(d => d.Delta);
            var cumulative = buckets
                .Where(d => d.Sample.Label("rpc_service") == method.Key.Service && d.Sample.Label("rpc_method") == method.Key.Method)
                .GroupBy(d => Bound(d.Sample.Label("le")))
                .Select(g => (Le: g.Key, Count: g.Sum(d => d.Delta)))
                .OrderBy(b => b.Le)
                .ToList();
            yield return new MethodRow(
                owner,
                method.Key.Service[(method.Key.Service.LastIndexOf('.') + 1)..] + "/" + method.Key.Method,
                calls / elapsed.TotalSeconds,
                calls > 0 ? 1 - failures / calls : null,
                Quantile(0.50, cumulative),
                Quantile(0.99, cumulative));
        }
    }

    private static double Bound(string le) =>
        le == "+Inf" ? double.PositiveInfinity : double.Parse(le, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>histogram_quantile: linear interpolation inside the bucket holding the rank; the highest finite bound past it.</summary>
    internal static double? Quantile(double q, IReadOnlyList<(double Le, double Count)> cumulative)
    {
        if (cumulative.Count == 0 || cumulative[^1].Count <= 0)
        {
            return null;
        }

        var rank = q * cumulative[^1].Count;
        for (var i = 0; i < cumulative.Count; i++)
        {
            var (le, count) = cumulative[i];
            if (count < rank)
            {
                continue;
            }

            var (lower, lowerCount) = i == 0 ? (0d, 0d) : cumulative[i - 1];
            if (double.IsPositiveInfinity(le))
            {
                return lower;
            }

            return count == lowerCount ? le : lower + (le - lower) * (rank - lowerCount) / (count - lowerCount);
        }

        return null;
    }

    private static IEnumerable<TargetRow> TargetRows(string caller, IReadOnlyList<Sample> after, List<(Sample Sample, double Delta)> deltas, TimeSpan elapsed)
    {
        var breakers = after.Where(s => s.Name == "grpcmesh_client_breaker_state" && s.Value >= 1).ToList();
        var endpoints = after.Where(s => s.Name == "grpcmesh_client_endpoint_state" && s.Value >= 1).ToList();
        var rejections = deltas.Where(d => d.Sample.Name == "grpcmesh_client_breaker_rejections_total").ToList();
        var retries = deltas.Where(d => d.Sample.Name == "grpcmesh_client_retries_total").ToList();
        var names = breakers.Select(s => s.Label("target"))
            .Concat(endpoints.Select(s => s.Label("target")))
            .Concat(rejections.Select(d => d.Sample.Label("target")))
            .Concat(retries.Select(d => d.Sample.Label("target")))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        foreach (var target in names)
        {
            var rejected = rejections.Where(d => d.Sample.Label("target") == target).Sum(d => d.Delta);
            var breaker = breakers.FirstOrDefault(s => s.Label("target") == target)?.Label("state") ?? "-";
            var states = endpoints.Where(s => s.Label("target") == target)
                .GroupBy(s => s.Label("state"))
                .OrderBy(g => g.Key == "ready" ? 0 : 1)
                .Select(g => $"{g.Count()} {g.Key}");
            yield return new TargetRow(caller, target, breaker, rejected / elapsed.TotalSeconds,
                retries.Where(d => d.Sample.Label("target") == target).Sum(d => d.Delta) / elapsed.TotalSeconds,
                string.Join(", ", states) is { Length: > 0 } text ? text : "-");
        }
    }
}
