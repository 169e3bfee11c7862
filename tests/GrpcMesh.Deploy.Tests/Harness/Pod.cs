using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using GrpcMesh.Testing.Postgres;
using GrpcMesh.Testing.Processes;

namespace GrpcMesh.Deploy.Tests.Harness;

/// <summary>
/// One pod of a <see cref="Harness.Workload"/>: the published image run as the manifest's user in a private mount
/// namespace where the image's folder is its working directory, the cluster's hosts file is /etc/hosts, each volume is a
/// folder of the test run owned by that user, and the root file system is read-only when the manifest says so. Its
/// environment is the image's (base image + Dockerfile ENV) under the container's env (Secrets resolved).
/// </summary>
internal sealed class Pod : IAsyncDisposable
{

    /// <summary>Where the bind shim is mounted inside a pod (a path no volume can hide).</summary>
    private const string ShimMount = "/opt/grpcmesh-pod-harness";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private Pod(string name, Workload workload, IPAddress address, Process process)
    {
        Name = name;
        Workload = workload;
        Address = address;
        _process = process;
    }

    public string Name { get; }

    public Workload Workload { get; }

    public IPAddress Address { get; }

    public volatile bool Ready;

    public volatile bool Terminating;

    public string Output => string.Join('\n', _output);

    public IReadOnlyCollection<string> OutputLines => _output;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Time since the container started.</summary>
    public TimeSpan Age => _clock.Elapsed;

    public Uri Url(string portName) => new($"http://{Address}:{Workload.Ports[portName]}");

    public static async Task<Pod> StartAsync(
        string name, Workload workload, DockerImage image, string publishedApp, string hostsFile, IPAddress address,
        IReadOnlyDictionary<string, string> volumeFolders, IReadOnlyDictionary<(string Secret, string Key), string> secrets,
        IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var shim = await PodNetwork.BindShimAsync().ConfigureAwait(false);
        var start = new ProcessStartInfo("unshare")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { "--mount", "--propagation", "private", "--", "/bin/sh", "-c", Script(workload, image, publishedApp, hostsFile, volumeFolders, shim) },
        };
        start.Environment.Clear();
        foreach (var (key, value) in Environment(workload, image, secrets))
        {
            start.Environment[key] = value;
        }

        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        start.Environment["GRPCMESH_POD_IP"] = address.ToString();
        var process = new Process { StartInfo = start };
        var pod = new Pod(name, workload, address, process);
        process.OutputDataReceived += (_, e) => pod.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => pod.OnOutput(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return pod;
    }

    /// <summary>What the container runtime does before the entrypoint, then the entrypoint as the manifest's user.</summary>
    private static string Script(
        Workload workload, DockerImage image, string publishedApp, string hostsFile, IReadOnlyDictionary<string, string> volumeFolders, string shim)
    {
        var lines = new List<string> { "set -e" };
        void Bind(string source, string target, bool directory)
        {
            lines.Add(directory ? $"mkdir -p {Quote(target)}" : $"test -e {Quote(target)}");
            lines.Add($"mount --bind {Quote(source)} {Quote(target)}");
        }

        Bind(publishedApp, image.Workdir, directory: true);
        Bind(hostsFile, "/etc/hosts", directory: false);
        Bind(Path.GetDirectoryName(shim)!, ShimMount, directory: true);
        // A volume mounted on /tmp would hide the other sources if they live there: mount it last.
        foreach (var (volume, mountPath) in workload.VolumeMounts.OrderBy(m => m.Value == "/tmp"))
        {
            Bind(volumeFolders[volume], mountPath, directory: true);
        }

        if (workload.ReadOnlyRootFilesystem)
        {
            lines.Add("mount -o remount,bind,ro /");
            lines.Add($"mount -o remount,bind,ro {Quote(image.Workdir)}");
        }

        lines.Add($"cd {Quote(image.Workdir)}");
        lines.Add($"export LD_PRELOAD={Quote(ShimMount + "/" + Path.GetFileName(shim))}");
        lines.Add($"exec setpriv --reuid={workload.RunAsUser} --regid={workload.RunAsGroup} --clear-groups -- {string.Join(' ', image.Entrypoint.Select(Quote))}");
        return string.Join('\n', lines);
    }

    private static Dictionary<string, string> Environment(Workload workload, DockerImage image, IReadOnlyDictionary<(string, string), string> secrets)
    {
        var environment = new Dictionary<string, string>(image.Environment);
        foreach (var variable in workload.Environment)
        {
            if (variable.Value is not null)
            {
                environment[variable.Name] = variable.Value;
            }
            else if (secrets.TryGetValue((variable.SecretName!, variable.SecretKey!), out var secret))
            {
                environment[variable.Name] = secret;
            }
            else
            {
                Assert.True(variable.Optional, $"{workload.Name}: env {variable.Name} needs Secret {variable.SecretName}/{variable.SecretKey}, which the test cluster lacks");
            }
        }

        return environment;
    }

    private static string Quote(string word) => ProcessRunner.ShellQuote([word]);

    /// <summary>The kubelet's stop: SIGTERM to the container's main process.</summary>
    public void Terminate()
    {
        Terminating = true;
        Signals.Terminate(_process.Id);
    }

    /// <summary>Waits for the process to end by itself; the kubelet's SIGKILL after <paramref name="grace"/> otherwise.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan grace)
    {
        try
        {
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(grace).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            return false;
        }
    }

    private void OnOutput(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _process.Dispose();
    }
}
