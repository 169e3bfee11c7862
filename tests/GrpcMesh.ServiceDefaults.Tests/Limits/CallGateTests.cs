using GrpcMesh.ServiceDefaults.Limits;
using GrpcMesh.Testing;
using Microsoft.Extensions.Time.Testing;

namespace GrpcMesh.ServiceDefaults.Tests.Limits;

public sealed class CallGateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider _time = new();

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Exit_CallsWaiting_SlotGoesToTheFirstQueued(bool adaptive)
    {
        var gate = Gate(max: 1, queue: 2, adaptive);
        Assert.True(gate.TryEnter(out var running));

        var first = gate.EnterQueuedAsync(Ct).AsTask();
        var second = gate.EnterQueuedAsync(Ct).AsTask();
        Assert.False(gate.TryEnter(out _), "a free call jumped the queue");
        Assert.Equal(2, gate.Queued);

        running.Exit();
        var (outcome, slot) = await first;
        Assert.Equal(QueueOutcome.Entered, outcome);
        Assert.False(second.IsCompleted, "two waiters got the one slot");
        Assert.Equal(1, gate.Running);

        slot.Exit();
        Assert.Equal(QueueOutcome.Entered, (await second).Outcome);
        Assert.Equal(0, gate.Queued);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task EnterQueued_QueueFull_RefusedAndSheddableCallsHeldBackForTheHold()
    {
        var gate = Gate(max: 4, queue: 1, adaptive: false);
        var slots = Enumerable.Range(0, 4).Select(_ => gate.TryEnter(out var s) ? s : throw new InvalidOperationException("no slot")).ToList();
        var queued = gate.EnterQueuedAsync(Ct).AsTask();

        Assert.Equal(QueueOutcome.QueueFull, (await gate.EnterQueuedAsync(Ct)).Outcome);

        slots.ForEach(s => s.Exit());
        Assert.Equal(QueueOutcome.Entered, (await queued).Outcome);
        Assert.Equal(1, gate.Running);
        Assert.False(gate.TryEnterSheddable(out _), "a sheddable call was admitted right after a critical one was refused");

        _time.Advance(CallGate.SheddableHold);
        Assert.True(gate.TryEnterSheddable(out _), "sheddable calls still refused after the hold");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public void TryEnterSheddable_ReserveForCritical()
    {
        var gate = Gate(max: 10, queue: 10, adaptive: false);

        var sheddable = 0;
        while (gate.TryEnterSheddable(out _))
        {
            sheddable++;
        }

        Assert.Equal(9, sheddable);
        Assert.True(gate.TryEnter(out _), "the reserved slot was not left to a critical call");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Adaptive_QueueStandingLongerThanTheInterval_CallThatWaitedPastTheServiceTimeRefusedNextRuns()
    {
        var gate = Gate(max: 1, queue: 10, adaptive: true);
        var (running, stale) = StandingQueue(gate);

        var fresh = gate.EnterQueuedAsync(Ct).AsTask();
        running.Exit();

        Assert.Equal(QueueOutcome.WaitedTooLong, (await stale).Outcome);
        Assert.Equal(QueueOutcome.Entered, (await fresh).Outcome);
        Assert.False(gate.TryEnterSheddable(out _), "a sheddable call was admitted right after a critical one was refused");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Adaptive_SheddableCallRunning_NoCriticalCallRefusedUntilItLeaves()
    {
        var gate = Gate(max: 2, queue: 10, adaptive: true);
        Assert.True(gate.TryEnterSheddable(out var sheddable));
        Assert.True(gate.TryEnter(out var critical));
        var stale = gate.EnterQueuedAsync(Ct).AsTask();
        var staler = gate.EnterQueuedAsync(Ct).AsTask();

        _time.Advance(CallGate.MaxStandingQueueInterval + TimeSpan.FromMilliseconds(1));
        critical.Exit();
        Assert.Equal(QueueOutcome.Entered, (await stale).Outcome);
        Assert.False(staler.IsCompleted, "a critical call was refused while a sheddable one ran");

        sheddable.Exit();
        Assert.Equal(QueueOutcome.WaitedTooLong, (await staler).Outcome);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Adaptive_QueueNotYetStanding_FirstComeFirstServed()
    {
        var gate = Gate(max: 1, queue: 10, adaptive: true);
        Assert.True(gate.TryEnter(out var running));
        // Two thirds of the standing interval from the first to the last: each waited far past any cut, none in a standing queue.
        var waiters = QueueSpaced(gate, 3, CallGate.MaxStandingQueueInterval / 3);

        running.Exit();
        await AssertAdmittedInOrderAsync(gate, waiters[0], waiters[1], waiters[2]);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Adaptive_QueueStanding_NewestWaiterServedFirst()
    {
        var gate = Gate(max: 1, queue: 10, adaptive: true);
        var (running, stale) = StandingQueue(gate);

        // 0.2 ms apart: all within the 1 ms cut of a gate that has learned no service time yet.
        var waiters = QueueSpaced(gate, 3, TimeSpan.FromMilliseconds(0.2));

        running.Exit();
        Assert.Equal(QueueOutcome.WaitedTooLong, (await stale).Outcome);
        await AssertAdmittedInOrderAsync(gate, waiters[2], waiters[1], waiters[0]);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Adaptive_QueueStanding_WaitersPastTheCutRefusedFromTheOldEnd()
    {
        var gate = Gate(max: 1, queue: 10, adaptive: true);
        Assert.True(gate.TryEnter(out var running));
        var stale = gate.EnterQueuedAsync(Ct).AsTask();
        var staler = gate.EnterQueuedAsync(Ct).AsTask();
        _time.Advance(CallGate.MaxStandingQueueInterval + TimeSpan.FromMilliseconds(1));
        var older = gate.EnterQueuedAsync(Ct).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(0.5));
        var newer = gate.EnterQueuedAsync(Ct).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(0.4));
        var newest = gate.EnterQueuedAsync(Ct).AsTask();

        running.Exit();
        Assert.Equal(QueueOutcome.WaitedTooLong, (await stale).Outcome);
        Assert.Equal(QueueOutcome.WaitedTooLong, (await staler).Outcome);
        var slot = await AssertAnsweredFirstAsync(newest, [older, newer, newest]);
        Assert.False(older.IsCompleted || newer.IsCompleted, "a waiter within the 1 ms cut was refused, or got a second slot");

        // older has now waited 1.2 ms (past the 1 ms cut), newer 0.7 ms.
        _time.Advance(TimeSpan.FromMilliseconds(0.3));
        slot.Exit();
        Assert.Equal(QueueOutcome.WaitedTooLong, (await older).Outcome);
        Assert.Equal(QueueOutcome.Entered, (await newer).Outcome);
        Assert.Equal(0, gate.Queued);
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(0.0, 100.0)]
    [InlineData(0.5, 20.0)]
    [InlineData(8.0, 80.0)]
    [InlineData(20.0, 100.0)]
    public Task StandingInterval_TenLearnedServiceTimesWithinTwentyToAHundredMs(double serviceMs, double expectedMs) => TestTimeouts.RunSync(() =>
    {
        var gate = Gate(max: 1, queue: 10, adaptive: true);
        if (serviceMs > 0)
        {
            LearnServiceTime(gate, TimeSpan.FromMilliseconds(serviceMs));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), gate.StandingInterval);
    }, Ct);

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Adaptive_ServiceTimeLearned_StandsAfterTenOfThemAndCutsWaitersPastAQuarterOfOne()
    {
        var gate = Gate(max: 1, queue: 10, adaptive: true);
        LearnServiceTime(gate, TimeSpan.FromMilliseconds(8));
        var (running, stale) = StandingQueue(gate); // 81 ms
        var older = QueueThenAdvance(gate, milliseconds: 3);
        var newer = QueueThenAdvance(gate, milliseconds: 1.5);

        // Standing after 80 ms (not 100); the cut is 2 ms: older (4.5 ms) goes, newer (1.5 ms) runs.
        running.Exit();
        Assert.Equal(QueueOutcome.WaitedTooLong, (await stale).Outcome);
        Assert.Equal(QueueOutcome.WaitedTooLong, (await older).Outcome);
        Assert.Equal(QueueOutcome.Entered, (await newer).Outcome);
        Assert.Equal(0, gate.Queued);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Adaptive_FastServiceTimeLearned_BurstOfFifteenMsStillFirstComeFirstServedTwentyOneStands()
    {
        var gate = Gate(max: 1, queue: 10, adaptive: true);
        LearnServiceTime(gate, TimeSpan.FromMilliseconds(0.5));
        Assert.True(gate.TryEnter(out var running));
        var burst = gate.EnterQueuedAsync(Ct).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(15));

        running.Exit();
        var (outcome, slot) = await burst;
        Assert.Equal(QueueOutcome.Entered, outcome);

        var stale = QueueThenAdvance(gate, milliseconds: 21);
        var fresh = QueueThenAdvance(gate, milliseconds: 0.5);
        slot.Exit();
        Assert.Equal(QueueOutcome.WaitedTooLong, (await stale).Outcome);
        Assert.Equal(QueueOutcome.Entered, (await fresh).Outcome);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Adaptive_QueueStandingAndFull_OldestWaiterRefusedToMakeRoomForTheNewest()
    {
        var gate = Gate(max: 1, queue: 2, adaptive: true);
        var (running, oldest) = StandingQueue(gate);
        var older = gate.EnterQueuedAsync(Ct).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(0.2));

        var newest = gate.EnterQueuedAsync(Ct).AsTask();

        Assert.True(await Task.WhenAny(oldest, newest) == oldest, "the full standing queue refused its newest arrival instead of its oldest waiter");
        Assert.Equal(QueueOutcome.QueueFull, (await oldest).Outcome);
        Assert.Equal(2, gate.Queued);
        running.Exit();
        await AssertAdmittedInOrderAsync(gate, newest, older);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Adaptive_StandingQueueEmptiedForAnInterval_FirstComeFirstServedAgain()
    {
        var gate = Gate(max: 1, queue: 10, adaptive: true);
        var running = await EmptyAStandingQueueAsync(gate);

        _time.Advance(CallGate.MaxStandingQueueInterval + TimeSpan.FromMilliseconds(1));
        var waiters = QueueSpaced(gate, 3, TimeSpan.FromMilliseconds(0.2));
        running.Exit();
        await AssertAdmittedInOrderAsync(gate, waiters[0], waiters[1], waiters[2]);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Adaptive_StandingQueueEmptiedAndRefilledWithinTheInterval_StillStanding()
    {
        var gate = Gate(max: 1, queue: 10, adaptive: true);
        var running = await EmptyAStandingQueueAsync(gate);

        // Refilled 1 ms after it emptied (well inside the 100 ms interval); the first waiter waits past the 1 ms cut.
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var stale = gate.EnterQueuedAsync(Ct).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(2));
        var waiters = QueueSpaced(gate, 2, TimeSpan.FromMilliseconds(0.2));

        running.Exit();
        Assert.Equal(QueueOutcome.WaitedTooLong, (await stale).Outcome);
        await AssertAdmittedInOrderAsync(gate, waiters[1], waiters[0]);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Adaptive_SheddableCallRunning_StandingQueueStillFirstComeFirstServed()
    {
        var gate = Gate(max: 2, queue: 10, adaptive: true);
        Assert.True(gate.TryEnterSheddable(out var sheddable));
        Assert.True(gate.TryEnter(out var critical));
        var waiters = QueueSpaced(gate, 3, TimeSpan.FromMilliseconds(0.2));
        _time.Advance(CallGate.MaxStandingQueueInterval + TimeSpan.FromMilliseconds(1));

        critical.Exit();
        var pending = waiters.ToList();
        var slot = await AssertAnsweredFirstAsync(waiters[0], pending);
        Assert.False(waiters[1].IsCompleted || waiters[2].IsCompleted, "a critical call was refused while a sheddable one ran");

        slot.Exit();
        await AssertAnsweredFirstAsync(waiters[1], pending);
        Assert.False(waiters[2].IsCompleted, "a critical call was refused while a sheddable one ran");

        sheddable.Exit();
        Assert.Equal(QueueOutcome.WaitedTooLong, (await waiters[2]).Outcome);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task EnterQueued_SheddableCallRunning_QueueStretchesByItsSlot()
    {
        var gate = Gate(max: 2, queue: 1, adaptive: false);
        Assert.True(gate.TryEnterSheddable(out var sheddable));
        Assert.True(gate.TryEnter(out _));
        var first = gate.EnterQueuedAsync(Ct).AsTask();
        var second = gate.EnterQueuedAsync(Ct).AsTask();
        Assert.False(second.IsCompleted, "a critical call was refused (queue full) while a sheddable one ran");

        sheddable.Exit();
        Assert.Equal(QueueOutcome.Entered, (await first).Outcome);
        Assert.Equal(QueueOutcome.QueueFull, (await gate.EnterQueuedAsync(Ct)).Outcome);
        Assert.False(second.IsCompleted);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Fixed_QueueStandingLong_QueuedCallStillRuns()
    {
        var gate = Gate(max: 1, queue: 10, adaptive: false);
        Assert.True(gate.TryEnter(out var running));
        var queued = gate.EnterQueuedAsync(Ct).AsTask();

        _time.Advance(TimeSpan.FromSeconds(10));
        running.Exit();

        Assert.Equal(QueueOutcome.Entered, (await queued).Outcome);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task EnterQueued_Cancelled_LeavesTheQueueWithoutASlot()
    {
        var gate = Gate(max: 1, queue: 10, adaptive: false);
        Assert.True(gate.TryEnter(out var running));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var queued = gate.EnterQueuedAsync(cancel.Token).AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        Assert.Equal(0, gate.Queued);
        running.Exit();
        Assert.Equal(0, gate.Running);
        Assert.True(gate.TryEnter(out _), "the cancelled waiter kept the slot");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ManyCallers_NeverMoreRunningThanTheLimit_AllRun()
    {
        var gate = Gate(max: 3, queue: 1000, adaptive: false);
        var peak = 0;

        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(async () =>
        {
            var slot = gate.TryEnter(out var free) ? free : (await gate.EnterQueuedAsync(Ct)).Slot;
            Assert.True(slot.Taken, "a queued call was not admitted");
            var running = gate.Running;
            InterlockedMax(ref peak, running);
            await Task.Yield();
            slot.Exit();
        }, Ct)));

        Assert.InRange(peak, 1, 3);
        Assert.Equal(0, gate.Running);
        Assert.Equal(0, gate.Queued);
    }

    /// <summary>Queues a call, then moves the fake clock on by <paramref name="milliseconds"/>.</summary>
    private Task<(QueueOutcome Outcome, GateSlot Slot)> QueueThenAdvance(CallGate gate, double milliseconds)
    {
        var waiter = gate.EnterQueuedAsync(Ct).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(milliseconds));
        return waiter;
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task RefusesSheddable_SaysWhatTryEnterSheddableWouldDo()
    {
        var gate = Gate(max: 2, queue: 1, adaptive: false);
        Assert.False(gate.RefusesSheddable);

        Assert.True(gate.TryEnter(out var first));
        Assert.True(gate.RefusesSheddable, "one of two slots in use leaves none of the sheddable share (90 % of 2 = 1)");
        Assert.False(gate.TryEnterSheddable(out _));
        first.Exit();
        Assert.False(gate.RefusesSheddable);

        // A critical call refused (queue full) holds sheddable calls back for the hold, with slots free again.
        var running = new[] { gate.TryEnter(out var a) ? a : default, gate.TryEnter(out var b) ? b : default };
        var queued = gate.EnterQueuedAsync(Ct).AsTask();
        Assert.Equal(QueueOutcome.QueueFull, (await gate.EnterQueuedAsync(Ct)).Outcome);
        running[0].Exit();
        (await queued).Slot.Exit();
        running[1].Exit();
        Assert.Equal(0, gate.Running);
        Assert.True(gate.RefusesSheddable);
        Assert.False(gate.TryEnterSheddable(out _));
        _time.Advance(CallGate.SheddableHold);
        Assert.False(gate.RefusesSheddable);
        Assert.True(gate.TryEnterSheddable(out var sheddable));
        sheddable.Exit();
    }

    /// <summary>Runs calls of <paramref name="serviceTime"/> one at a time on the fake clock until the adaptive limit has learned it.</summary>
    private void LearnServiceTime(CallGate gate, TimeSpan serviceTime)
    {
        for (var calls = 0; gate.LearnedServiceTime != serviceTime; calls++)
        {
            Assert.True(calls < 10_000, $"learned {gate.LearnedServiceTime} after {calls} calls, not {serviceTime}");
            Assert.True(gate.TryEnter(out var call));
            _time.Advance(serviceTime);
            call.Exit();
        }
    }

    /// <summary>Takes the gate's only free slot and queues one call behind it, then lets the queue stand just past the interval.</summary>
    private (GateSlot Running, Task<(QueueOutcome Outcome, GateSlot Slot)> Stale) StandingQueue(CallGate gate)
    {
        Assert.True(gate.TryEnter(out var running));
        var stale = gate.EnterQueuedAsync(Ct).AsTask();
        _time.Advance(gate.StandingInterval + TimeSpan.FromMilliseconds(1));
        return (running, stale);
    }

    /// <summary>Lets a queue stand past the interval until the cut clears it; returns the slot then held, with the queue empty.</summary>
    private async Task<GateSlot> EmptyAStandingQueueAsync(CallGate gate)
    {
        var (running, stale) = StandingQueue(gate);
        running.Exit();
        Assert.Equal(QueueOutcome.WaitedTooLong, (await stale).Outcome);
        Assert.Equal(0, gate.Queued);
        Assert.True(gate.TryEnter(out running));
        return running;
    }

    /// <summary>Queues <paramref name="count"/> calls, <paramref name="spacing"/> apart on the fake clock.</summary>
    private List<Task<(QueueOutcome Outcome, GateSlot Slot)>> QueueSpaced(CallGate gate, int count, TimeSpan spacing)
    {
        var waiters = new List<Task<(QueueOutcome Outcome, GateSlot Slot)>>();
        var queuedBefore = gate.Queued;
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                _time.Advance(spacing);
            }

            waiters.Add(gate.EnterQueuedAsync(Ct).AsTask());
        }

        Assert.Equal(queuedBefore + count, gate.Queued);
        return waiters;
    }

    /// <summary>Each waiter gets the slot freed by the one before it: the first of them answered is the expected one.</summary>
    private static async Task AssertAdmittedInOrderAsync(CallGate gate, params Task<(QueueOutcome Outcome, GateSlot Slot)>[] order)
    {
        var pending = order.ToList();
        for (var i = 0; i < order.Length; i++)
        {
            var slot = await AssertAnsweredFirstAsync(order[i], pending);
            Assert.Equal(1, gate.Running);
            slot.Exit();
        }

        Assert.Equal(0, gate.Queued);
    }

    /// <summary>
    /// Waits for the first of <paramref name="pending"/> to be answered and asserts it is <paramref name="expected"/>,
    /// admitted: a slot handed to another waiter fails at once instead of when the test times out.
    /// </summary>
    private static async Task<GateSlot> AssertAnsweredFirstAsync(Task<(QueueOutcome Outcome, GateSlot Slot)> expected, List<Task<(QueueOutcome Outcome, GateSlot Slot)>> pending)
    {
        var answered = await Task.WhenAny(pending);
        Assert.True(answered == expected, $"waiter {pending.IndexOf(answered)} of those still queued was answered before waiter {pending.IndexOf(expected)}");
        pending.Remove(answered);
        var (outcome, slot) = await answered;
        Assert.Equal(QueueOutcome.Entered, outcome);
        return slot;
    }

    private CallGate Gate(int max, int queue, bool adaptive) =>
        new(new LimitsOptions { MaxConcurrentCalls = max, MaxQueuedCalls = queue, AdaptiveConcurrency = adaptive, CriticalReserve = 0.1 }, _time);

    private static void InterlockedMax(ref int location, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref location)) && Interlocked.CompareExchange(ref location, value, current) != current)
        {
        }
    }
}
