using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using GrpcMesh.Testing;

namespace GrpcMesh.Interop.Tests.Support;

/// <summary>
/// A GrpcMesh service run as a real process (<c>dotnet Service.dll --urls http://127.0.0.1:0</c>) with its own data
/// directory. The bound port is read from the service's JSON "Now listening on" log line.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    public const string UserService = "GrpcMesh.UserService";
    public const string OrderService = "GrpcMesh.OrderService";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly TempDirectory _dataDirectory;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(Process process, TempDirectory dataDirectory)
    {
        _process = process;
        _dataDirectory = dataDirectory;
    }

    public int Pid => _process.Id;

    /// <summary>host:port for gRPC clients (no scheme).</summary>
    public string Target { get; private set; } = "";

    public IReadOnlyCollection<string> OutputLines => _output;

    public int ExitCode => _process.ExitCode;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="project"/>; <paramref name="settings"/> become <c>--Key=Value</c> arguments.</summary>
    public static async Task<ServiceProcess> StartAsync(string project, IReadOnlyDictionary<string, string>? settings = null)
    {
        var dataDirectory = new TempDirectory("grpcmesh-interop");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Repo.ServiceDll(project))!,
        };
        start.ArgumentList.Add(Repo.ServiceDll(project));
        var arguments = new Dictionary<string, string>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Storage:DataDirectory"] = dataDirectory.Path,
            ["Telemetry:PrometheusPort"] = "0",
            ["Telemetry:PrometheusAddress"] = "127.0.0.1",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            ["Logging:LogLevel:GrpcMesh"] = "Information",
            // The scripts call without tokens; AuthInteropTests turns auth on with its own key.
            ["Auth:Enabled"] = "false",
        };

        // Endpoints named in appsettings.json override --urls; move them to free loopback ports too.
        foreach (var endpoint in KestrelEndpointNames(Path.Combine(start.WorkingDirectory, "appsettings.json")))
        {
            arguments[$"Kestrel:Endpoints:{endpoint}:Url"] = "http://127.0.0.1:0";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            arguments[key] = value;
        }

        foreach (var (key, value) in arguments)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var inherited in new[] { "DOTNET_ENVIRONMENT", "ASPNETCORE_URLS", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME" })
        {
            start.Environment.Remove(inherited);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(process, dataDirectory);
        process.OutputDataReceived += (_, e) => service.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => service.OnOutput(e.Data);
        process.Exited += (_, _) => service._listening.TrySetException(new InvalidOperationException(
            $"{project} exited before listening:\n{string.Join('\n', service._output)}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var address = await service._listening.Task.WaitAsync(StartTimeout, TestContext.Current.CancellationToken);
            service.Target = new Uri(address).Authority;
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>The Prometheus scrape URL the service logged at startup.</summary>
    public Uri MetricsUrl => new(JsonLogLines()
        .Single(l => l.GetProperty("EventId").GetInt32() == 1200)
        .GetProperty("State").GetProperty("Url").GetString()!);

    public Task<bool> WaitForExitAsync(TimeSpan timeout) =>
        _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(timeout).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);

    /// <summary>The service's stdout lines parsed as JSON (every line must be one JSON object).</summary>
    public IReadOnlyList<JsonElement> JsonLogLines() =>
        _output.Select(line => JsonDocument.Parse(line).RootElement).ToList();

    private static IEnumerable<string> KestrelEndpointNames(string appsettings)
    {
        if (!File.Exists(appsettings))
        {
            return [];
        }

        using var document = JsonDocument.Parse(File.ReadAllText(appsettings), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return document.RootElement.TryGetProperty("Kestrel", out var kestrel) && kestrel.TryGetProperty("Endpoints", out var endpoints)
            ? endpoints.EnumerateObject().Select(e => e.Name).ToList()
            : [];
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (line.Contains("Now listening on", StringComparison.Ordinal) && !_listening.Task.IsCompleted)
        {
            var address = JsonDocument.Parse(line).RootElement.GetProperty("State").GetProperty("address").GetString();
            _listening.TrySetResult(address!);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
        _dataDirectory.Dispose();
    }
}
