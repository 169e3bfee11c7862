using System.Diagnostics;
using GrpcMesh.Testing;

namespace GrpcMesh.Deploy.Tests.Harness;

/// <summary>
/// A throwaway cluster on loopback for the objects one kustomization renders: pods on their own 127.0.0.x addresses,
/// a kubelet per pod, cluster DNS for the Services, Secrets from the test, PersistentVolumeClaims as folders that
/// outlive pods. Rolling updates follow the Deployment's strategy (maxSurge / maxUnavailable).
/// </summary>
internal sealed partial class Cluster : IAsyncDisposable
{
    private readonly TempDirectory _root = new("grpcmesh-cluster");
    private readonly CancellationTokenSource _stop;
    private readonly List<(Pod Pod, Kubelet Kubelet, Task Probes)> _pods = [];
    private readonly Dictionary<string, string> _claims = [];
    private readonly IReadOnlyDictionary<(string, string), string> _secrets;
    private readonly ClusterDns _dns;
    private int _podCounter;

    private Cluster(RenderedManifests manifests, IReadOnlyDictionary<(string, string), string> secrets, CancellationToken testEnded)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(testEnded);
        Manifests = manifests;
        _secrets = secrets;
        _dns = new ClusterDns(Path.Combine(_root.Path, "hosts"), manifests.Services);
        _dns.Publish([]);
    }

    public RenderedManifests Manifests { get; }

    public IEnumerable<Pod> Pods => Snapshot().Select(p => p.Pod);

    /// <summary>A cluster for what <c>kubectl kustomize deploy/&lt;kustomization&gt;</c> renders; its probes stop with <paramref name="testEnded"/>.</summary>
    public static async Task<Cluster> CreateAsync(
        IReadOnlyDictionary<(string Secret, string Key), string> secrets, CancellationToken testEnded, params string[] kustomization) =>
        new(await RenderedManifests.RenderAsync(kustomization).ConfigureAwait(false), secrets, testEnded);

    public Kubelet KubeletOf(Pod pod) => Snapshot().Single(p => p.Pod == pod).Kubelet;

    /// <summary>Starts every Deployment's replicas and waits until all of them are ready.</summary>
    public async Task<IReadOnlyList<Pod>> ApplyAsync()
    {
        var pods = new List<Pod>();
        foreach (var workload in Manifests.Workloads)
        {
            for (var i = 0; i < workload.Replicas; i++)
            {
                pods.Add(await StartPodAsync(workload.Name).ConfigureAwait(false));
            }
        }

        foreach (var pod in pods)
        {
            await KubeletOf(pod).FirstReady.ConfigureAwait(false);
        }

        return pods;
    }

    /// <summary>Creates one pod of <paramref name="workload"/> (building its image on first use) and starts its probes.</summary>
    public async Task<Pod> StartPodAsync(string workload, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var spec = Manifests.Workload(workload);
        var image = DockerImage.Load(spec.ImageName);
        var app = await ImageBuilder.PublishAsync(image).ConfigureAwait(false);
        var name = $"{workload}-{Interlocked.Increment(ref _podCounter)}";
        var volumes = spec.Volumes.ToDictionary(v => v.Key, v => v.Value is { } claim ? Claim(claim, spec) : OwnedFolder($"{name}-{v.Key}", spec));
        var pod = await Pod.StartAsync(name, spec, image, app, _dns.HostsFile, PodNetwork.NextAddress(), volumes, _secrets, extraEnvironment)
            .ConfigureAwait(false);
        var kubelet = new Kubelet(pod, () => _dns.Publish(Pods));
        lock (_pods)
        {
            _pods.Add((pod, kubelet, kubelet.RunAsync(_stop.Token)));
        }

        _dns.Publish(Pods);

        return pod;
    }

    /// <summary>
    /// The kubelet's stop: out of the Service endpoints and SIGTERM at once, SIGKILL after terminationGracePeriodSeconds.
    /// Returns the time from SIGTERM to exit, and whether the process ended by itself.
    /// </summary>
    public async Task<(TimeSpan Elapsed, bool ExitedByItself)> StopPodAsync(Pod pod)
    {
        var clock = Stopwatch.StartNew();
        pod.Terminate();
        _dns.Publish(Pods);
        var exited = await pod.WaitForExitAsync(pod.Workload.TerminationGracePeriod).ConfigureAwait(false);
        return (clock.Elapsed, exited);
    }

    /// <summary>
    /// A rolling update of <paramref name="workload"/> as the Deployment controller runs it for this strategy: at most
    /// maxSurge pods above replicas, at most maxUnavailable below; an old pod is stopped once a new one is ready.
    /// Returns each old pod's stop (SIGTERM to exit) once all of them have exited.
    /// </summary>
    public async Task<IReadOnlyList<(Pod Pod, TimeSpan Elapsed, bool ExitedByItself)>> RollingUpdateAsync(string workload)
    {
        var spec = Manifests.Workload(workload);
        Assert.True(spec.MaxSurge >= 1 && spec.MaxUnavailable == 0, $"{workload}: the harness rolls with maxSurge ≥ 1 and maxUnavailable 0 only");
        var old = Pods.Where(p => p.Workload.Name == workload && !p.Terminating).ToList();
        var stops = new List<Task<(Pod, TimeSpan, bool)>>();
        foreach (var batch in old.Chunk(spec.MaxSurge))
        {
            var fresh = new List<Pod>();
            foreach (var _ in batch)
            {
                fresh.Add(await StartPodAsync(workload).ConfigureAwait(false));
            }

            foreach (var pod in fresh)
            {
                await KubeletOf(pod).FirstReady.ConfigureAwait(false);
            }

            stops.AddRange(batch.Select(async pod =>
            {
                var (elapsed, exited) = await StopPodAsync(pod).ConfigureAwait(false);
                return (pod, elapsed, exited);
            }));
        }

        return await Task.WhenAll(stops).ConfigureAwait(false);
    }

    private string Claim(string claim, Workload workload)
    {
        lock (_claims)
        {
            if (!_claims.TryGetValue(claim, out var folder))
            {
                _claims[claim] = folder = OwnedFolder($"pvc-{claim}", workload);
            }

            return folder;
        }
    }

    /// <summary>A volume folder owned by the pod's user (fsGroup), as the kubelet prepares volumes.</summary>
    private string OwnedFolder(string name, Workload workload)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root.Path, name)).FullName;
        Assert.Equal(0, Chown(folder, workload.RunAsUser, workload.RunAsGroup));
        return folder;
    }

    private List<(Pod Pod, Kubelet Kubelet, Task Probes)> Snapshot()
    {
        lock (_pods)
        {
            return [.. _pods];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var (pod, _, probes) in Snapshot())
        {
            await pod.DisposeAsync().ConfigureAwait(false);
            await probes.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }

        _stop.Dispose();
        _root.Dispose();
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int Chown(string path, int owner, int group);
}
