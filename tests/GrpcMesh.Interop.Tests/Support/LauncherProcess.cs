using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using GrpcMesh.Testing;

namespace GrpcMesh.Interop.Tests.Support;

/// <summary>
/// The README's <c>dotnet run --project services/GrpcMesh.Launcher</c>, run as the already-built launcher
/// (<c>dotnet GrpcMesh.Launcher.dll --no-build</c>: the solution is built before the tests, and a nested build of the
/// services while other tests run their outputs would race them) on free loopback ports (its documented <c>--user-url</c> /
/// <c>--order-url</c>, <c>--user-http-url</c> / <c>--order-http-url</c> options) and a data directory of its own.
/// </summary>
internal sealed class LauncherProcess : IAsyncDisposable
{
    private const string TokenMarker = "export GRPCMESH_TOKEN=";
    private static readonly TimeSpan UpTimeout = TimeSpan.FromSeconds(120);

    private readonly Process _process;
    private readonly TempDirectory _data = new("grpcmesh-launcher");
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<string> _token = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LauncherProcess(IReadOnlyDictionary<string, string> environment)
    {
        UserUrl = $"http://127.0.0.1:{FreePort()}";
        OrderUrl = $"http://127.0.0.1:{FreePort()}";
        UserHttpUrl = $"http://127.0.0.1:{FreePort()}";
        OrderHttpUrl = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll);
        start.ArgumentList.Add("--no-build");
        start.ArgumentList.Add("--user-url");
        start.ArgumentList.Add(UserUrl);
        start.ArgumentList.Add("--order-url");
        start.ArgumentList.Add(OrderUrl);
        start.ArgumentList.Add("--user-http-url");
        start.ArgumentList.Add(UserHttpUrl);
        start.ArgumentList.Add("--order-http-url");
        start.ArgumentList.Add(OrderHttpUrl);
        start.Environment["Storage__DataDirectory"] = _data.Path;
        foreach (var inherited in new[] { "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "ASPNETCORE_URLS" })
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        _process.ErrorDataReceived += (_, e) => OnOutput(e.Data);
    }

    public static string Dll => Path.Combine(Repo.Root, "services", "GrpcMesh.Launcher", "bin", Repo.Configuration, Repo.TargetFramework, "GrpcMesh.Launcher.dll");

    public string UserUrl { get; }

    public string OrderUrl { get; }

    /// <summary>UserService's HTTP edge (JSON API, gRPC-Web): the README's 127.0.0.1:5011.</summary>
    public string UserHttpUrl { get; }

    /// <summary>OrderService's HTTP edge: the README's 127.0.0.1:5012.</summary>
    public string OrderHttpUrl { get; }

    public string DataDirectory => _data.Path;

    public IReadOnlyCollection<string> OutputLines => _output;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the launcher and waits for its banner (printed once both services are SERVING); returns the token from it.</summary>
    public static async Task<(LauncherProcess Launcher, string Token)> StartAsync(
        CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        Assert.True(File.Exists(Dll), $"{Dll} missing; build the solution first");
        var launcher = new LauncherProcess(environment ?? new Dictionary<string, string>());
        launcher._process.Start();
        launcher._process.BeginOutputReadLine();
        launcher._process.BeginErrorReadLine();
        try
        {
            var exited = launcher._process.WaitForExitAsync(cancellationToken);
            var first = await Task.WhenAny(launcher._token.Task, exited).WaitAsync(UpTimeout, cancellationToken);
            Assert.True(first == launcher._token.Task, $"the launcher exited before its banner:\n{launcher.Output}");
            return (launcher, await launcher._token.Task);
        }
        catch
        {
            TestContext.Current.TestOutputHelper?.WriteLine(launcher.Output);
            await launcher.DisposeAsync();
            throw;
        }
    }

    public string Output => string.Join('\n', _output);

    /// <summary>SIGTERM, as Ctrl+C in a terminal or a process manager would stop it.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    public Task WaitForExitAsync(TimeSpan timeout) =>
        _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
        _data.Dispose();
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (line.IndexOf(TokenMarker, StringComparison.Ordinal) is var at and >= 0)
        {
            _token.TrySetResult(line[(at + TokenMarker.Length)..].Trim());
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
