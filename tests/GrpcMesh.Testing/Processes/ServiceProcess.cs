using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace GrpcMesh.Testing.Processes;

/// <summary>
/// A GrpcMesh service run as a real process (<c>dotnet Service.dll --urls http://127.0.0.1:0</c>, Production, auth off
/// unless the settings turn it on) on a data directory of its own or one the test owns — so a test can SIGTERM it
/// and start it again on the same data. The bound address is read from the service's JSON "Now listening on" line.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    public const string UserService = "GrpcMesh.UserService";
    public const string OrderService = "GrpcMesh.OrderService";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly TempDirectory? _ownedDataDirectory;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _errorLines = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(Process process, TempDirectory? ownedDataDirectory)
    {
        _process = process;
        _ownedDataDirectory = ownedDataDirectory;
    }

    public int Pid => _process.Id;

    /// <summary>http://127.0.0.1:port</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>host:port for gRPC clients that take no scheme (grpcio, grpc-js).</summary>
    public string Target => Address.Authority;

    public IReadOnlyCollection<string> OutputLines => _output;

    public string Output => string.Join('\n', _output);

    /// <summary>What the process wrote to stderr (also in <see cref="OutputLines"/>).</summary>
    public IReadOnlyCollection<string> ErrorLines => _errorLines;

    public int ExitCode => _process.ExitCode;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="project"/> on a fresh data directory removed with the process.</summary>
    public static async Task<ServiceProcess> StartAsync(string project, IReadOnlyDictionary<string, string>? settings = null)
    {
        var dataDirectory = new TempDirectory("grpcmesh-process");
        try
        {
            return await StartAsync(ServiceDll(project), dataDirectory.Path, dataDirectory, settings);
        }
        catch
        {
            dataDirectory.Dispose();
            throw;
        }
    }

    /// <summary>Starts <paramref name="project"/> on <paramref name="dataDirectory"/>, which outlives the process.</summary>
    public static Task<ServiceProcess> StartAsync(string project, string dataDirectory, IReadOnlyDictionary<string, string>? settings = null) =>
        StartAsync(ServiceDll(project), dataDirectory, ownedDataDirectory: null, settings);

    /// <summary>Starts the service built as <paramref name="dll"/> (any GrpcMesh service, e.g. one made from the template) on a fresh data directory.</summary>
    public static async Task<ServiceProcess> StartDllAsync(string dll, IReadOnlyDictionary<string, string>? settings = null)
    {
        Assert.True(File.Exists(dll), $"{dll} does not exist; build the service first");
        var dataDirectory = new TempDirectory("grpcmesh-process");
        try
        {
            return await StartAsync(dll, dataDirectory.Path, dataDirectory, settings);
        }
        catch
        {
            dataDirectory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="project"/> (fresh data directory, as <see cref="StartAsync(string, IReadOnlyDictionary{string, string}?)"/>)
    /// expecting it to exit by itself, e.g. refusing its configuration; fails the test if it is still running after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<ServiceProcess> RunToExitAsync(string project, IReadOnlyDictionary<string, string>? settings, TimeSpan timeout)
    {
        var dataDirectory = new TempDirectory("grpcmesh-process");
        var service = Create(ServiceDll(project), dataDirectory.Path, dataDirectory, settings);
        if (!await service.WaitForExitAsync(timeout))
        {
            await service.DisposeAsync();
            Assert.Fail($"{project} was still running after {timeout.TotalSeconds} s:\n{service.Output}");
        }

        // Exited also ends the output; wait for the last lines to be read.
        service._process.WaitForExit();
        return service;
    }

    /// <summary>The built service, from the test assembly's own configuration (Debug tests run Debug services).</summary>
    public static string ServiceDll(string project)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        var path = RepoPaths.PathOf("services", project, "bin", output.Parent!.Name, output.Name, project + ".dll");
        Assert.True(File.Exists(path), $"{path} does not exist; build the solution (dotnet build GrpcMesh.sln -c {output.Parent.Name}) first");
        return path;
    }

    private static async Task<ServiceProcess> StartAsync(
        string dll, string dataDirectory, TempDirectory? ownedDataDirectory, IReadOnlyDictionary<string, string>? settings)
    {
        var service = Create(dll, dataDirectory, ownedDataDirectory, settings);
        try
        {
            service.Address = new Uri(await service._listening.Task.WaitAsync(StartTimeout, TestContext.Current.CancellationToken));
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    private static ServiceProcess Create(string dll, string dataDirectory, TempDirectory? ownedDataDirectory, IReadOnlyDictionary<string, string>? settings)
    {
        var project = Path.GetFileNameWithoutExtension(dll);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (var (key, value) in Arguments(start.WorkingDirectory, dataDirectory, settings))
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var inherited in new[] { "DOTNET_ENVIRONMENT", "ASPNETCORE_URLS", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME" })
        {
            start.Environment.Remove(inherited);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(process, ownedDataDirectory);
        process.OutputDataReceived += (_, e) => service.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                service._errorLines.Enqueue(e.Data);
            }

            service.OnOutput(e.Data);
        };
        process.Exited += (_, _) => service._listening.TrySetException(new InvalidOperationException(
            $"{project} exited before listening:\n{service.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    private static Dictionary<string, string> Arguments(string workingDirectory, string dataDirectory, IReadOnlyDictionary<string, string>? settings)
    {
        var arguments = new Dictionary<string, string>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Storage:DataDirectory"] = dataDirectory,
            ["Telemetry:PrometheusPort"] = "0",
            ["Telemetry:PrometheusAddress"] = "127.0.0.1",
            ["Http:Port"] = "0",
            ["Http:Address"] = "127.0.0.1",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            ["Logging:LogLevel:GrpcMesh"] = "Information",
            // Scripts and load loops call without tokens; tests about auth turn it on with their own key.
            ["Auth:Enabled"] = "false",
        };

        // Endpoints named in appsettings.json override --urls; move them to free loopback ports too.
        foreach (var endpoint in KestrelEndpointNames(Path.Combine(workingDirectory, "appsettings.json")))
        {
            arguments[$"Kestrel:Endpoints:{endpoint}:Url"] = "http://127.0.0.1:0";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            arguments[key] = value;
        }

        return arguments;
    }

    /// <summary>Sends SIGTERM, as Kubernetes or systemd would.</summary>
    public void Terminate() => Signals.Terminate(_process.Id);

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The Prometheus scrape URL the service logged at startup.</summary>
    public Uri MetricsUrl => new(JsonLogLines()
        .Single(l => l.GetProperty("EventId").GetInt32() == 1200)
        .GetProperty("State").GetProperty("Url").GetString()!);

    /// <summary>The HTTP edge's base URL (JSON API, gRPC-Web, OpenAPI) the service logged at startup.</summary>
    public Uri HttpUrl => new(JsonLogLines()
        .Single(l => l.GetProperty("EventId").GetInt32() == 1210)
        .GetProperty("State").GetProperty("Url").GetString()!);

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
            _listening.TrySetResult(JsonDocument.Parse(line).RootElement.GetProperty("State").GetProperty("address").GetString()!);
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
        _ownedDataDirectory?.Dispose();
    }
}
