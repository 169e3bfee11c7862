using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GrpcMesh.Launcher;

/// <summary>A service process whose output is shown through <see cref="ChildLog"/>; stopped gracefully with SIGTERM.</summary>
internal sealed partial class ChildProcess(MeshService service, bool verbose) : IDisposable
{
    private const int Sigterm = 15;
    private Process? _process;

    public bool HasExited => _process?.HasExited ?? true;

    public int ExitCode => _process?.ExitCode ?? 0;

    public void Start()
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = service.ProjectDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(service.AssemblyPath);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(service.Address.ToString().TrimEnd('/'));
        info.ArgumentList.Add("--contentRoot");
        info.ArgumentList.Add(service.ProjectDirectory);
        // Local runs are Development unless the caller says otherwise: the services then use the development signing key
        // (appsettings.Development.json); any other environment refuses to start without a real Auth:SigningKey.
        if (Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") is null && Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is null)
        {
            info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        }

        foreach (var (key, value) in service.Environment)
        {
            info.Environment[key] = value;
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {service.Name}");
        _process.OutputDataReceived += (_, e) => Echo(e.Data);
        _process.ErrorDataReceived += (_, e) => Echo(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Asks the service to drain and stop (SIGTERM on Unix), killing it if it outlives <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            _process.Kill(entireProcessTree: true);
        }
        else
        {
            _ = Kill(_process.Id, Sigterm);
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public void Dispose() => _process?.Dispose();

    private void Echo(string? line)
    {
        if (line is not null && ChildLog.Format(service.Name, line, verbose) is { } shown)
        {
            Console.WriteLine(shown);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
