namespace GrpcMesh.ServiceDefaults.Limits;

/// <summary>At most <see cref="LimitsOptions.MaxConcurrentCalls"/> unary calls run at once; up to <see cref="LimitsOptions.MaxQueuedCalls"/> wait.</summary>
internal sealed class CallGate(LimitsOptions options)
{
    private readonly SemaphoreSlim _slots = new(Math.Max(options.MaxConcurrentCalls, 1));
    private int _queued;

    public bool Enabled { get; } = options.MaxConcurrentCalls > 0;

    public int MaxQueued { get; } = options.MaxQueuedCalls;

    public int Queued => Volatile.Read(ref _queued);

    public int Running => Enabled ? options.MaxConcurrentCalls - _slots.CurrentCount : 0;

    public bool TryEnter() => _slots.Wait(0);

    /// <summary>Slots a sheddable call may take: all but <see cref="LimitsOptions.CriticalReserve"/>, at least one.</summary>
    public int SheddableSlots { get; } = Math.Max(1, (int)(options.MaxConcurrentCalls * (1 - options.CriticalReserve)));

    /// <summary>A slot for a sheddable call: only while fewer than <see cref="SheddableSlots"/> are in use and no call waits.</summary>
    public bool TryEnterSheddable() => Running < SheddableSlots && Queued == 0 && TryEnter();

    /// <summary>Queues for a slot; false when the queue is full. Throws when <paramref name="cancellationToken"/> fires first.</summary>
    public async ValueTask<bool> EnterQueuedAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _queued) > MaxQueued)
        {
            Interlocked.Decrement(ref _queued);
            return false;
        }

        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            Interlocked.Decrement(ref _queued);
        }
    }

    public void Exit() => _slots.Release();
}
