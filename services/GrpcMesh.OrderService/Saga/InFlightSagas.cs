using System.Collections.Concurrent;

namespace GrpcMesh.OrderService.Saga;

/// <summary>
/// The CreateOrder sagas running in this process, so a duplicate request that finds the order still PENDING can wait
/// for the final state instead of returning a PENDING order that flips a moment later. A saga is registered before its
/// order row is written and ended after its final state is committed, so a PENDING row without an entry here belongs
/// to an interrupted saga (or another replica).
/// </summary>
public sealed class InFlightSagas
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _sagas = new(StringComparer.Ordinal);

    public void Begin(string orderId) =>
        _sagas[orderId] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void End(string orderId)
    {
        if (_sagas.TryRemove(orderId, out var completion))
        {
            completion.TrySetResult();
        }
    }

    /// <summary>Completes when the saga of <paramref name="orderId"/> ends; null when it is not running here.</summary>
    public Task? Completion(string orderId) => _sagas.TryGetValue(orderId, out var completion) ? completion.Task : null;
}
