namespace GrpcMesh.OrderService.Storage;

/// <summary>
/// In-process wake-up for the event poller: the stores call <see cref="Notify"/> after committing an outbox event, so a
/// watcher on the same process sees it without waiting for the next poll. It only says "look now": the outbox stays the
/// source of truth (events written by other replicas are found by polling, or by a PostgreSQL NOTIFY that calls this too).
/// </summary>
public sealed class OrderEventSignal
{
    private TaskCompletionSource _next = NewSource();

    /// <summary>Completes at the next <see cref="Notify"/>; take it before reading, so a notification during the read is not lost.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Notify() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
