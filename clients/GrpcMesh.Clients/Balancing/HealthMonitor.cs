using GrpcMesh.Clients.Options;

namespace GrpcMesh.Clients.Balancing;

/// <summary>
/// Checks every endpoint of a table each <see cref="GrpcMeshHealthCheckOptions.Interval"/> (all in parallel, each within
/// <see cref="GrpcMeshHealthCheckOptions.Timeout"/>) and reports the results to the table. Starts with the first
/// endpoint set; stops when disposed.
/// </summary>
internal sealed class HealthMonitor(EndpointTable table, IEndpointHealthProbe probe, GrpcMeshHealthCheckOptions options, TimeProvider time) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private int _started;

    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _ = Task.Run(() => RunAsync(_stop.Token));
        }
    }

    public void Forget(string endpoint) => probe.Forget(endpoint);

    public void Dispose()
    {
        _stop.Cancel();
        probe.Dispose(); // the loop's in-flight checks fail, are ignored, and the loop sees the cancellation
    }

    /// <summary>One round: checks every endpoint once and reports each result.</summary>
    internal Task CheckAllAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(table.Endpoints.Select(e => CheckAsync(e.Endpoint, cancellationToken)));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await CheckAllAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(options.Interval, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // disposed
        }
    }

    private async Task CheckAsync(string endpoint, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        bool serving;
        try
        {
            serving = await probe.IsServingAsync(endpoint, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or HttpRequestException or IOException)
        {
            serving = false;
        }

        cancellationToken.ThrowIfCancellationRequested();
        table.ReportHealth(endpoint, serving);
    }
}
