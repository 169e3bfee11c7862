using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GrpcMesh.LoadTest.Hosting;

/// <summary>
/// A server under test in its own process. Its output is always drained (a full pipe would stall the server)
/// and the last lines are kept to explain a failed start; stopped with SIGTERM, killed if it lingers.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private const int Sigterm = 15;
    private const int KeptLines = 40;

    private readonly Process _process;
    private readonly Queue<string> _recent = new();
    private readonly Lock _gate = new();
    private readonly TextWriter? _echo;

    private ServerProcess(string name, Process process, TextWriter? echo)
    {
        Name = name;
        _process = process;
        _echo = echo;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    public string RecentOutput
    {
        get
        {
            lock (_gate)
            {
                return string.Join(Environment.NewLine, _recent);
            }
        }
    }

    public static ServerProcess Start(string name, ProcessStartInfo info, TextWriter? echo)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {name} ({info.FileName})");
        var server = new ServerProcess(name, process, echo);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>A process running <c>dotnet {dll} {args}</c> from the dll's folder (its appsettings.json is read).</summary>
    public static ProcessStartInfo Dotnet(string assemblyPath, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(assemblyPath)! };
        info.ArgumentList.Add(assemblyPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return info;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            if (OperatingSystem.IsWindows() || Kill(_process.Id, Sigterm) != 0)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _echo?.WriteLine($"[{Name}] {line}");
        lock (_gate)
        {
            _recent.Enqueue(line);
            if (_recent.Count > KeptLines)
            {
                _recent.Dequeue();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
