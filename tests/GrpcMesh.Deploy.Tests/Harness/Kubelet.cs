using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace GrpcMesh.Deploy.Tests.Harness;

/// <summary>
/// The kubelet's gRPC probes for one pod, with the manifest's port, service, period, timeout and thresholds: the startup
/// probe until it passes, then liveness and readiness side by side until the pod exits. Each probe is a new connection to
/// the pod address (as the kubelet dials), and only SERVING within the timeout passes. Readiness changes are published
/// to cluster DNS. What the probes saw is kept for the test to assert on.
/// </summary>
internal sealed class Kubelet(Pod pod, Action onReadinessChanged)
{
    private readonly TaskCompletionSource<TimeSpan> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<TimeSpan> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _livenessFailuresInARow;

    /// <summary>Time from the container's start until the startup probe passed.</summary>
    public Task<TimeSpan> Started => _started.Task;

    /// <summary>Time from the container's start until the pod was first ready.</summary>
    public Task<TimeSpan> FirstReady => _ready.Task;

    /// <summary>Set when liveness failed failureThreshold times in a row: a real kubelet would have restarted the container.</summary>
    public string? LivenessRestart { get; private set; }

    public List<string> Events { get; } = [];

    public Task RunAsync(CancellationToken stop) => Task.Run(() => RunProbesAsync(stop), CancellationToken.None);

    private async Task RunProbesAsync(CancellationToken stop)
    {
        var workload = pod.Workload;
        await Task.Delay(workload.StartupProbe.InitialDelay, stop).ConfigureAwait(false);
        for (var failures = 0; ; failures++)
        {
            var result = await ProbeAsync(workload.StartupProbe).ConfigureAwait(false);
            if (result is null)
            {
                _started.TrySetResult(pod.Age);
                Record("startup probe passed");
                break;
            }

            if (failures + 1 >= workload.StartupProbe.FailureThreshold || pod.HasExited)
            {
                var reason = pod.HasExited ? $"container exited ({pod.ExitCode})" : $"startup probe failed {failures + 1} times: {result}";
                var failure = new InvalidOperationException($"{pod.Name} never started: {reason}\n{pod.Output}");
                _started.TrySetException(failure);
                _ready.TrySetException(failure);
                return;
            }

            await Task.Delay(workload.StartupProbe.Period, stop).ConfigureAwait(false);
        }

        await Task.WhenAll(LoopAsync(workload.LivenessProbe, OnLiveness, stop), LoopAsync(workload.ReadinessProbe, OnReadiness, stop)).ConfigureAwait(false);
    }

    private async Task LoopAsync(GrpcProbe probe, Action<string?> onResult, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && !pod.HasExited)
        {
            onResult(await ProbeAsync(probe).ConfigureAwait(false));
            try
            {
                await Task.Delay(probe.Period, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void OnLiveness(string? failure)
    {
        _livenessFailuresInARow = failure is null ? 0 : _livenessFailuresInARow + 1;
        if (failure is not null && !pod.HasExited && _livenessFailuresInARow >= pod.Workload.LivenessProbe.FailureThreshold)
        {
            LivenessRestart ??= $"liveness failed {_livenessFailuresInARow} times, last: {failure}";
        }
    }

    private void OnReadiness(string? failure)
    {
        var ready = failure is null;
        if (ready == pod.Ready)
        {
            return;
        }

        pod.Ready = ready;
        Record(ready ? "ready" : $"not ready: {failure}");
        if (ready)
        {
            _ready.TrySetResult(pod.Age);
        }

        onReadinessChanged();
    }

    /// <summary>One probe on a new connection; null when it passed, else why it failed.</summary>
    public async Task<string?> ProbeAsync(GrpcProbe probe)
    {
        using var channel = GrpcChannel.ForAddress($"http://{pod.Address}:{probe.Port}");
        try
        {
            var reply = await new Health.HealthClient(channel)
                .CheckAsync(new HealthCheckRequest { Service = probe.Service }, deadline: DateTime.UtcNow + probe.Timeout).ConfigureAwait(false);
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving ? null : reply.Status.ToString();
        }
        catch (RpcException e)
        {
            return $"{e.StatusCode}: {e.Status.Detail}";
        }
    }

    private void Record(string what)
    {
        lock (Events)
        {
            Events.Add($"{pod.Age.TotalSeconds,7:F2} s {what}");
        }
    }
}
