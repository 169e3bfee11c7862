namespace GrpcMesh.ServiceDefaults.Limits;

/// <summary>
/// How many unary calls run at once: a fixed <see cref="LimitsOptions.MaxConcurrentCalls"/>, or with
/// <see cref="LimitsOptions.AdaptiveConcurrency"/> the <see cref="AdaptiveConcurrencyLimit"/> learned from the calls'
/// service times. Up to <see cref="LimitsOptions.MaxQueuedCalls"/> more wait, first come first served while the queue
/// comes and goes. With the adaptive limit a queue that has not emptied for <see cref="StandingInterval"/> (ten
/// uncongested service times, within 20–100 ms) is standing (more arrives than the server does; emptied and refilled
/// within the interval, it still stands), and then the gate does what Facebook's servers do with request queues ("Fail
/// at Scale", ACM Queue 2015): a call that has waited longer than a quarter of a service time (at least 1 ms) is
/// refused instead of run (CoDel's rule), from the old end of the queue, and a freed slot goes to the newest waiter
/// (adaptive LIFO): the calls admitted are the freshest, where first come first served would run each one just before
/// the cut, and when the queue is full its oldest waiter makes room for a new one. Both count in service times so that
/// what admission adds to an admitted call stays a fraction of the call: over a fixed 100 ms a 2 ms service's queue
/// grows first come first served to tens of calls' times on the way into an overload, and a cut at a whole service
/// time lets admitted calls take twice as long as uncongested ones. A critical call is never refused while a sheddable
/// one runs: until the last sheddable call has left, queued calls are not cut, are served first come first served and
/// the queue stretches by the slots sheddable calls hold.
/// </summary>
internal sealed class CallGate
{
    /// <summary>The longest a queue may go without emptying before it is standing (CoDel's interval), whatever a call takes.</summary>
    public static readonly TimeSpan MaxStandingQueueInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The shortest: a queue that drains within a GC pause or a thread-pool hiccup is a burst, however fast calls are.</summary>
    public static readonly TimeSpan MinStandingQueueInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>A queue that has not drained within this many uncongested service times is standing.</summary>
    public const int StandingQueueServiceTimes = 10;

    /// <summary>In a standing queue, the share of an uncongested service time a call may have waited and still run.</summary>
    public const double StandingQueueWaitShare = 0.25;

    /// <summary>After a critical call is refused, sheddable calls are refused for this long.</summary>
    public static readonly TimeSpan SheddableHold = TimeSpan.FromSeconds(1);

    private readonly LimitsOptions _options;
    private readonly TimeProvider _time;
    private readonly long _minWaitCutTicks;
    private readonly long _sheddableHoldTicks;
    private readonly AdaptiveConcurrencyLimit? _adaptive;
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private int _running;
    private int _runningSheddable;
    private int _queued;
    private long _queueFormedAt;
    private long _queueEmptiedAt;
    private long _criticalRefusedAt = long.MinValue / 2;

    public CallGate(LimitsOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _minWaitCutTicks = Ticks(TimeSpan.FromMilliseconds(1));
        _sheddableHoldTicks = Ticks(SheddableHold);
        if (options.AdaptiveConcurrency && options.MaxConcurrentCalls > 0)
        {
            var min = Math.Min(options.MinConcurrentCalls, options.MaxConcurrentCalls);
            _adaptive = new AdaptiveConcurrencyLimit(min, options.MaxConcurrentCalls, options.LatencyTolerance,
                LimitsOptions.InitialAdaptiveLimit, time.TimestampFrequency);
        }
    }

    public bool Enabled => _options.MaxConcurrentCalls > 0;

    /// <summary>The adaptive limit's learned uncongested service time; null with a fixed limit.</summary>
    public TimeSpan? LearnedServiceTime => _adaptive?.Baseline;

    /// <summary>Calls allowed to run at once right now.</summary>
    public int Limit => _adaptive?.Limit ?? _options.MaxConcurrentCalls;

    public int MaxQueued => _options.MaxQueuedCalls;

    /// <summary>How long a queue goes without emptying before it is standing: <see cref="StandingQueueServiceTimes"/> learned service times within <see cref="MinStandingQueueInterval"/>–<see cref="MaxStandingQueueInterval"/>, the longest until one is learned.</summary>
    public TimeSpan StandingInterval => _adaptive is { Baseline: var serviceTime } && serviceTime > TimeSpan.Zero
        ? Clamp(serviceTime * StandingQueueServiceTimes, MinStandingQueueInterval, MaxStandingQueueInterval)
        : MaxStandingQueueInterval;

    public int Queued => Volatile.Read(ref _queued);

    public int Running => Volatile.Read(ref _running);

    /// <summary>Slots a sheddable call may take: all but <see cref="LimitsOptions.CriticalReserve"/> of <see cref="Limit"/>, at least one.</summary>
    public int SheddableSlots => Math.Max(1, (int)(Limit * (1 - _options.CriticalReserve)));

    /// <summary>A slot without waiting, when one is free and no call waits for one.</summary>
    public bool TryEnter(out GateSlot slot)
    {
        slot = Queued == 0 && TryTakeSlot() ? new GateSlot(this, _time.GetTimestamp(), sheddable: false) : default;
        return slot.Taken;
    }

    /// <summary>Whether a sheddable call would be refused now (what <see cref="TryEnterSheddable"/> checks before taking a slot).</summary>
    public bool RefusesSheddable => !AdmitsSheddable(_time.GetTimestamp());

    /// <summary>A slot for a sheddable call: only while fewer than <see cref="SheddableSlots"/> are in use, no call waits and no critical call was refused within <see cref="SheddableHold"/>.</summary>
    public bool TryEnterSheddable(out GateSlot slot)
    {
        var now = _time.GetTimestamp();
        slot = AdmitsSheddable(now) && TryTakeSlot()
            ? new GateSlot(this, now, sheddable: true)
            : default;
        if (slot.Taken)
        {
            Interlocked.Increment(ref _runningSheddable);
        }

        return slot.Taken;
    }

    /// <summary>Queues for a slot (taken when the outcome is <see cref="QueueOutcome.Entered"/>). Throws when <paramref name="cancellationToken"/> fires first.</summary>
    public async ValueTask<(QueueOutcome Outcome, GateSlot Slot)> EnterQueuedAsync(CancellationToken cancellationToken)
    {
        var outcome = await WaitForSlotAsync(cancellationToken).ConfigureAwait(false);
        return (outcome, outcome == QueueOutcome.Entered ? new GateSlot(this, _time.GetTimestamp(), sheddable: false) : default);
    }

    private async ValueTask<QueueOutcome> WaitForSlotAsync(CancellationToken cancellationToken)
    {
        var waiter = new Waiter(this, _time.GetTimestamp());
        lock (_lock)
        {
            // Announced before looking for a slot (a full fence, as Exit's decrement is): an Exit in between sees a waiter.
            Interlocked.Exchange(ref _queued, _waiters.Count + 1);
            if (_waiters.Count == 0 && TryTakeSlot())
            {
                Volatile.Write(ref _queued, 0);
                return QueueOutcome.Entered;
            }

            if (_waiters.Count >= MaxQueued + Volatile.Read(ref _runningSheddable))
            {
                Volatile.Write(ref _criticalRefusedAt, waiter.QueuedAt);

                // A standing queue serves its newest first: the oldest waiter, the next to be cut, makes room.
                if (_waiters.First is not { } oldest || WaitCutTicks(waiter.QueuedAt) == long.MaxValue)
                {
                    Volatile.Write(ref _queued, _waiters.Count);
                    return QueueOutcome.QueueFull;
                }

                _waiters.Remove(oldest);
                oldest.Value.Outcome.TrySetResult(QueueOutcome.QueueFull);
            }
            else
            {
                // A standing queue that empties and refills within an interval still stands (it keeps the time it formed):
                // otherwise each time the cut cleared it, calls would queue first come first served, uncut, for another interval.
                var standingTicks = Ticks(StandingInterval);
                var refillsAStandingQueue = _queueEmptiedAt - _queueFormedAt > standingTicks && waiter.QueuedAt - _queueEmptiedAt <= standingTicks;
                if (_waiters.Count == 0 && !refillsAStandingQueue)
                {
                    _queueFormedAt = waiter.QueuedAt;
                }
            }

            waiter.Node = _waiters.AddLast(waiter);
            Volatile.Write(ref _queued, _waiters.Count);
        }

        using var registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), waiter);
        return await waiter.Outcome.Task.ConfigureAwait(false);
    }

    /// <summary>Releases a slot taken at <paramref name="enteredAt"/>, and hands it to the next waiter.</summary>
    internal void Exit(long enteredAt, bool sheddable)
    {
        var now = _time.GetTimestamp();
        if (sheddable)
        {
            Interlocked.Decrement(ref _runningSheddable);
        }

        var running = Interlocked.Decrement(ref _running);
        var limitMayHaveGrown = _adaptive?.Record(now - enteredAt, running + 1, now) ?? false;
        if (Queued > 0 || limitMayHaveGrown)
        {
            AdmitWaiters(now);
        }
    }

    private bool AdmitsSheddable(long now) =>
        Running < SheddableSlots && Queued == 0 && now - Volatile.Read(ref _criticalRefusedAt) >= _sheddableHoldTicks;

    private bool TryTakeSlot()
    {
        var limit = Limit;
        var running = Volatile.Read(ref _running);
        while (running < limit)
        {
            var seen = Interlocked.CompareExchange(ref _running, running + 1, running);
            if (seen == running)
            {
                return true;
            }

            running = seen;
        }

        return false;
    }

    private void AdmitWaiters(long now)
    {
        lock (_lock)
        {
            var cut = WaitCutTicks(now);

            // Waiters are in arrival order: the ones past the cut are at the old end.
            while (_waiters.First is { } oldest && now - oldest.Value.QueuedAt > cut)
            {
                Dequeue(oldest, now);
                Volatile.Write(ref _criticalRefusedAt, now);
                oldest.Value.Outcome.TrySetResult(QueueOutcome.WaitedTooLong);
            }

            var lifo = cut != long.MaxValue;
            while ((lifo ? _waiters.Last : _waiters.First) is { } next && TryTakeSlot())
            {
                Dequeue(next, now);
                next.Value.Outcome.TrySetResult(QueueOutcome.Entered);
            }
        }
    }

    /// <summary>How long a call may have waited and still be run: unbounded, except in a standing queue under the adaptive limit with no sheddable call running (then the newest waiter is served first, too).</summary>
    private long WaitCutTicks(long now) =>
        _adaptive is { } adaptive && now - _queueFormedAt > Ticks(StandingInterval) && Volatile.Read(ref _runningSheddable) == 0
            ? Math.Max(_minWaitCutTicks, Ticks(adaptive.Baseline * StandingQueueWaitShare))
            : long.MaxValue;

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;

    private void Dequeue(LinkedListNode<Waiter> node, long now)
    {
        _waiters.Remove(node);
        Volatile.Write(ref _queued, _waiters.Count);
        if (_waiters.Count == 0)
        {
            _queueEmptiedAt = now;
        }
    }

    /// <summary>A waiter whose call was cancelled leaves the queue, unless it was handed a slot already (then it runs and exits).</summary>
    private void Cancel(Waiter waiter, CancellationToken token)
    {
        lock (_lock)
        {
            if (waiter.Node?.List is not null)
            {
                Dequeue(waiter.Node, _time.GetTimestamp());
                waiter.Outcome.TrySetCanceled(token);
            }
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private sealed class Waiter(CallGate gate, long queuedAt)
    {
        public long QueuedAt { get; } = queuedAt;

        public void Cancel(CancellationToken token) => gate.Cancel(this, token);

        public LinkedListNode<Waiter>? Node { get; set; }

        public TaskCompletionSource<QueueOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

internal enum QueueOutcome
{
    Entered,
    QueueFull,
    WaitedTooLong,
}

/// <summary>A concurrency slot held by a call; <see cref="Exit"/> releases it (nothing when none was taken).</summary>
internal readonly struct GateSlot(CallGate gate, long enteredAt, bool sheddable)
{
    public bool Taken => gate is not null;

    public void Exit() => gate?.Exit(enteredAt, sheddable);
}
