using Microsoft.Extensions.Options;

namespace GrpcMesh.Bench.ReplicaServer;

/// <summary>
/// A downstream resource with a fixed number of "connections" (a database pool, say): a call waits for a free one,
/// holds it for <see cref="ReplicaOptions.ResourceHold"/>, and gives it back. Past its capacity calls queue here, as
/// they would on a real pool; the server's admission in front of it decides how long that queue may grow.
/// </summary>
public sealed class BoundedResource(IOptions<ReplicaOptions> options, PreciseDelays delays) : IDisposable
{
    private readonly SemaphoreSlim? _slots = options.Value.ResourceSlots > 0 ? new SemaphoreSlim(options.Value.ResourceSlots) : null;
    private readonly TimeSpan _hold = options.Value.ResourceHold;

    public async Task UseAsync(CancellationToken cancellationToken)
    {
        if (_slots is null)
        {
            return;
        }

        await _slots.WaitAsync(cancellationToken);
        try
        {
            await delays.Delay(_hold);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots?.Dispose();
}
