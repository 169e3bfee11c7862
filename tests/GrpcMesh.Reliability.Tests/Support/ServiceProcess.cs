using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using GrpcMesh.Testing;

namespace GrpcMesh.Reliability.Tests.Support;

/// <summary>
/// A service run as a real process (its built output, Production environment, auth off, a free loopback port) on a
/// data directory the test owns, so a test can SIGTERM it and start it again on the same data. The bound address is
/// read from the service's JSON "Now listening on" log line.
/// </summary>
internal sealed partial class ServiceProcess : IAsyncDisposable
{
    public const string UserService = "GrpcMesh.UserService";
    public const string OrderService = "GrpcMesh.OrderService";

    private const int Sigterm = 15;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(Process process) => _process = process;

    /// <summary>http://127.0.0.1:port</summary>
    public Uri Address { get; private set; } = null!;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output => string.Join('\n', _output);

    /// <summary>Starts <paramref name="project"/> on <paramref name="dataDirectory"/>; <paramref name="settings"/> become <c>--Key=Value</c> arguments.</summary>
    public static async Task<ServiceProcess> StartAsync(string project, string dataDirectory, IReadOnlyDictionary<string, string>? settings = null)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var framework = new DirectoryInfo(AppContext.BaseDirectory).Name;
        var dll = RepoPaths.PathOf("services", project, "bin", configuration, framework, project + ".dll");
        Assert.True(File.Exists(dll), $"{dll} does not exist; build the tests (they build the services) first");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        var arguments = new Dictionary<string, string>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Storage:DataDirectory"] = dataDirectory,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            ["Auth:Enabled"] = "false",
        };
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
        var service = new ServiceProcess(process);
        process.OutputDataReceived += (_, e) => service.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => service.OnOutput(e.Data);
        process.Exited += (_, _) => service._listening.TrySetException(new InvalidOperationException(
            $"{project} exited before listening:\n{service.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
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

    /// <summary>Sends SIGTERM, as Kubernetes or systemd would.</summary>
    public void Terminate() => Assert.Equal(0, Kill(_process.Id, Sigterm));

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
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
