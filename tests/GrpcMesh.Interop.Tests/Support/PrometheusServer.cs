using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GrpcMesh.Testing;

namespace GrpcMesh.Interop.Tests.Support;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c> package, as .ci/run installs it) on a free loopback port with a
/// fresh TSDB, scraping the given targets every second and evaluating the rule files every second.
/// </summary>
internal sealed partial class PrometheusServer : IAsyncDisposable
{
    private const string Install = "apt-get install -y prometheus";

    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _http;

    private PrometheusServer(Process process, TempDirectory directory, Uri address)
    {
        _process = process;
        _directory = directory;
        Address = address;
        _http = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="jobs">Scrape job name → metrics URL (one target per job).</param>
    /// <param name="ruleFiles">Rule file name → content, written next to the configuration.</param>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, Uri> jobs, IReadOnlyDictionary<string, string> ruleFiles)
    {
        var binary = new[] { "/usr/bin/prometheus", "/usr/local/bin/prometheus" }.FirstOrDefault(File.Exists);
        Assert.True(binary is not null, $"no prometheus binary found. Install: {Install}");

        var directory = new TempDirectory("grpcmesh-prometheus");
        foreach (var (name, content) in ruleFiles)
        {
            await File.WriteAllTextAsync(Path.Combine(directory.Path, name), content, TestContext.Current.CancellationToken);
        }

        var config = new StringBuilder()
            .AppendLine("global: {scrape_interval: 1s, scrape_timeout: 900ms, evaluation_interval: 1s}")
            .AppendLine("rule_files:");
        foreach (var name in ruleFiles.Keys)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"  - {name}");
        }

        config.AppendLine("scrape_configs:");
        foreach (var (job, url) in jobs)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"  - job_name: {job}")
                .AppendLine(CultureInfo.InvariantCulture, $"    metrics_path: {url.AbsolutePath}")
                .AppendLine(CultureInfo.InvariantCulture, $"    static_configs: [{{targets: ['{url.Authority}']}}]");
        }

        var configPath = Path.Combine(directory.Path, "prometheus.yml");
        await File.WriteAllTextAsync(configPath, config.ToString(), TestContext.Current.CancellationToken);

        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory.Path,
        };
        start.ArgumentList.Add($"--config.file={configPath}");
        start.ArgumentList.Add($"--storage.tsdb.path={Path.Combine(directory.Path, "data")}");
        start.ArgumentList.Add($"--web.listen-address={address.Authority}");
        start.ArgumentList.Add("--web.enable-lifecycle");

        var process = Process.Start(start)!;
        var server = new PrometheusServer(process, directory, address);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Eventually.WaitAsync(server.IsReadyAsync, $"Prometheus to be ready on {address}", TimeSpan.FromSeconds(60));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The committed rule files of deploy/observability with the 5-minute range of the golden-signal rules shortened to
    /// <paramref name="window"/> and every alert's <c>for:</c> to <paramref name="pending"/>, so seconds of load fill them.
    /// The expressions, labels and series names are the committed ones (a rate5m series then holds a rate over the window).
    /// </summary>
    public static Dictionary<string, string> CommittedRules(string window, string pending)
    {
        var directory = RepoPaths.PathOf("deploy", "observability");
        return Directory.GetFiles(directory, "*.rules.yml").ToDictionary(
            path => Path.GetFileName(path),
            path => ForLine().Replace(File.ReadAllText(path).Replace("[5m]", $"[{window}]", StringComparison.Ordinal), $"$1for: {pending}"));
    }

    /// <summary>An instant query at <paramref name="time"/> (now when null): label set → value.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string promql, DateTimeOffset? time = null)
    {
        var url = $"api/v1/query?query={Uri.EscapeDataString(promql)}"
            + (time is { } t ? $"&time={(t.ToUnixTimeMilliseconds() / 1000.0).ToString(CultureInfo.InvariantCulture)}" : "");
        using var document = await GetAsync(url);
        return document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(r => ((IReadOnlyDictionary<string, string>)Labels(r), Value(r.GetProperty("value"))))
            .ToList();
    }

    /// <summary>A range query: per series, its (time, value) points.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<(double Time, double Value)> Points)>> QueryRangeAsync(
        string promql, DateTimeOffset start, DateTimeOffset end, TimeSpan step)
    {
        var url = $"api/v1/query_range?query={Uri.EscapeDataString(promql)}&start={Seconds(start)}&end={Seconds(end)}&step={step.TotalSeconds.ToString(CultureInfo.InvariantCulture)}";
        using var document = await GetAsync(url);
        return document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(r => ((IReadOnlyDictionary<string, string>)Labels(r),
                (IReadOnlyList<(double, double)>)r.GetProperty("values").EnumerateArray().Select(v => (v[0].GetDouble(), Value(v))).ToList()))
            .ToList();
    }

    /// <summary>The active alerts (pending or firing): labels and state.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, string State)>> AlertsAsync()
    {
        using var document = await GetAsync("api/v1/alerts");
        return document.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray()
            .Select(a => ((IReadOnlyDictionary<string, string>)Labels(a, "labels"), a.GetProperty("state").GetString()!))
            .ToList();
    }

    /// <summary>The health Prometheus reports for each scrape target (job → "up"/"down"/"unknown").</summary>
    public async Task<IReadOnlyDictionary<string, string>> TargetHealthAsync()
    {
        using var document = await GetAsync("api/v1/targets");
        return document.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
            .ToDictionary(t => t.GetProperty("labels").GetProperty("job").GetString()!, t => t.GetProperty("health").GetString()!);
    }

    private async Task<JsonDocument> GetAsync(string url)
    {
        using var response = await _http.GetAsync(url, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"Prometheus answered {(int)response.StatusCode} to {url}: {body}");
        return JsonDocument.Parse(body);
    }

    private async Task<bool> IsReadyAsync()
    {
        if (_process.HasExited)
        {
            Assert.Fail($"prometheus exited ({_process.ExitCode}):\n{Output}");
        }

        try
        {
            using var response = await _http.GetAsync("-/ready", TestContext.Current.CancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static Dictionary<string, string> Labels(JsonElement result, string property = "metric") =>
        result.GetProperty(property).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    // Prometheus writes sample values as strings ("0.5", "NaN", "+Inf").
    private static double Value(JsonElement pair) => double.Parse(pair[1].GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string Seconds(DateTimeOffset time) => (time.ToUnixTimeMilliseconds() / 1000.0).ToString(CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    [GeneratedRegex(@"^(\s+)for: \S+$", RegexOptions.Multiline)]
    private static partial Regex ForLine();

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
        _directory.Dispose();
    }
}
