using System.Diagnostics;
using System.Globalization;
using System.Net;
using GrpcMesh.LoadTest.Hosting;

namespace GrpcMesh.LoadTest.Scenarios.Traffic;

/// <summary>One replica to start: its name and its <c>Replica:*</c> settings as command-line arguments.</summary>
internal sealed record ReplicaSpec(string Name, params string[] Arguments);

/// <summary>
/// Replicas of bench/GrpcMesh.Bench.ReplicaServer (full ServiceDefaults stack, the run's auth), started in parallel,
/// each on its own port, and the GetUser attempts each has served so far (its <c>GET /bench/served</c> counter).
/// </summary>
internal sealed class ReplicaSet : IAsyncDisposable
{
    public const string Project = "bench/GrpcMesh.Bench.ReplicaServer";

    private readonly IReadOnlyDictionary<string, (ServerProcess Server, Uri Address)> _replicas;
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false })
    {
        // The replicas' port speaks h2c only.
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(10),
    };

    private ReplicaSet(IReadOnlyDictionary<string, (ServerProcess, Uri)> replicas) => _replicas = replicas;

    public static async Task<ReplicaSet> StartAsync(ScenarioContext context, string scenario, IReadOnlyList<ReplicaSpec> specs, CancellationToken cancellationToken)
    {
        var starts = specs.Select(spec => context.StartDotnetServerAsync($"{scenario}-{spec.Name}", Project,
            // No drain delay: nothing balances away from a replica the harness stops.
            ["--Replica:Name", spec.Name, "--Shutdown:DrainDelay", "00:00:00", .. spec.Arguments], null, cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(starts);
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await start.Result.Server.DisposeAsync();
            }

            throw;
        }

        return new ReplicaSet(specs.Select((spec, i) => (spec.Name, starts[i].Result)).ToDictionary(p => p.Name, p => p.Result));
    }

    public Uri Address(string name) => _replicas[name].Address;

    /// <summary>A <c>static:///</c> address of the named replicas, as <c>Clients:UserService:Address</c> takes it.</summary>
    public string StaticAddress(IEnumerable<string> names) =>
        "static:///" + string.Join(",", names.Select(n => $"127.0.0.1:{_replicas[n].Address.Port}"));

    /// <summary>The CPU time the named replica's process has used so far (user and system, all threads).</summary>
    public TimeSpan CpuTime(string name)
    {
        using var process = Process.GetProcessById(_replicas[name].Server.Id);
        return process.TotalProcessorTime;
    }

    public async Task<Dictionary<string, long>> ReadServedAsync(CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, long>();
        foreach (var (name, replica) in _replicas)
        {
            var text = await _http.GetStringAsync(new Uri(replica.Address, "/bench/served"), cancellationToken);
            result[name] = long.Parse(text, CultureInfo.InvariantCulture);
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Task.WhenAll(_replicas.Values.Select(r => r.Server.DisposeAsync().AsTask()));
    }
}
