using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Telemetry;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Clients.Balancing;

/// <summary>
/// Keeps one grpc.health.v1 <c>Watch</c> stream open per endpoint of a table and reports every status the endpoint
/// pushes, so a replica that starts draining is out of rotation as soon as its NOT_SERVING arrives.
/// <list type="bullet">
/// <item>No first answer within <see cref="GrpcMeshHealthCheckOptions.Timeout"/>, or a stream that fails (no connection,
/// reset, error status): unhealthy, as a Check without an answer; watched again after <see cref="GrpcMeshHealthCheckOptions.Interval"/>.</item>
/// <item>A stream the server closes (grpc-dotnet ends open watches right after NOT_SERVING on SIGTERM): the last status
/// stands until a new watch, after the same delay, says otherwise.</item>
/// <item>Watch UNIMPLEMENTED: Check every Interval instead (UNIMPLEMENTED Check: healthy).</item>
/// <item>Anything unexpected (a bug, a probe that throws): logged as a warning with the exception, last status kept,
/// watched again after the delay. The loop only ends when the endpoint leaves the set or the monitor is disposed.</item>
/// </list>
/// </summary>
internal sealed class HealthMonitor(EndpointTable table, IEndpointHealthProbe probe, GrpcMeshHealthCheckOptions options, TimeProvider time, ILogger logger)
    : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CancellationTokenSource> _watches = new(StringComparer.OrdinalIgnoreCase);
    private bool _disposed;

    /// <summary>Starts watching endpoints new to the set and stops watching those no longer in it.</summary>
    public void Watch(IReadOnlyCollection<string> endpoints)
    {
        var current = endpoints.ToHashSet(StringComparer.OrdinalIgnoreCase);
        List<string> gone;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            gone = [.. _watches.Keys.Where(e => !current.Contains(e))];
            foreach (var endpoint in gone)
            {
                _watches.Remove(endpoint, out var stop);
                stop!.Cancel();
            }

            foreach (var endpoint in current.Where(e => !_watches.ContainsKey(e)))
            {
                var stop = new CancellationTokenSource();
                _watches[endpoint] = stop;
                _ = Task.Run(() => KeepWatchingAsync(endpoint, stop.Token), CancellationToken.None);
            }
        }

        foreach (var endpoint in gone)
        {
            probe.Forget(endpoint);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var stop in _watches.Values)
            {
                stop.Cancel();
            }

            _watches.Clear();
        }

        probe.Dispose();
    }

    private async Task KeepWatchingAsync(string endpoint, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var end = await WatchOnceAsync(endpoint, stop).ConfigureAwait(false);
                if (end == HealthWatchEnd.Unimplemented)
                {
                    ClientLog.HealthWatchUnimplemented(logger, table.Target, endpoint, options.Interval.TotalMilliseconds);
                    await PollAsync(endpoint, stop).ConfigureAwait(false);
                    return;
                }

                var how = end == HealthWatchEnd.Completed ? "closed by the server" : "failed: unhealthy until a watch says SERVING";
                ClientLog.HealthWatchEnded(logger, table.Target, endpoint, how, options.Interval.TotalMilliseconds);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                ClientLog.HealthWatchFailed(logger, table.Target, endpoint, options.Interval.TotalMilliseconds, e);
            }

            if (!await DelayAsync(stop).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private async Task<HealthWatchEnd> WatchOnceAsync(string endpoint, CancellationToken stop)
    {
        var gate = new Lock();
        var answered = false;
        void Report(bool serving)
        {
            lock (gate)
            {
                answered = true;
                table.ReportHealth(endpoint, serving);
            }
        }

        void NoFirstAnswer()
        {
            lock (gate)
            {
                if (!answered)
                {
                    table.ReportHealth(endpoint, healthy: false);
                }
            }
        }

        using var firstAnswer = time.CreateTimer(_ => NoFirstAnswer(), null, options.Timeout, Timeout.InfiniteTimeSpan);
        var end = await probe.WatchAsync(endpoint, Report, stop).ConfigureAwait(false);
        if (end == HealthWatchEnd.Failed)
        {
            table.ReportHealth(endpoint, healthy: false);
        }

        return end;
    }

    /// <summary>Check every Interval, for servers without Watch.</summary>
    private async Task PollAsync(string endpoint, CancellationToken stop)
    {
        do
        {
            try
            {
                table.ReportHealth(endpoint, await CheckAsync(endpoint, stop).ConfigureAwait(false));
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                ClientLog.HealthWatchFailed(logger, table.Target, endpoint, options.Interval.TotalMilliseconds, e);
            }
        }
        while (await DelayAsync(stop).ConfigureAwait(false));
    }

    private async Task<bool> CheckAsync(string endpoint, CancellationToken stop)
    {
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        try
        {
            return await probe.IsServingAsync(endpoint, linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!stop.IsCancellationRequested && e is OperationCanceledException or HttpRequestException or IOException)
        {
            return false; // no answer in time, or no connection
        }
    }

    private async Task<bool> DelayAsync(CancellationToken stop)
    {
        try
        {
            await Task.Delay(options.Interval, time, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
