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
        Assert.True(gate.TryEnter(out var running));
        var stale = gate.EnterQueuedAsync(Ct).AsTask();

        _time.Advance(CallGate.StandingQueueInterval + TimeSpan.FromMilliseconds(1));
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

        _time.Advance(CallGate.StandingQueueInterval + TimeSpan.FromMilliseconds(1));
        critical.Exit();
        Assert.Equal(QueueOutcome.Entered, (await stale).Outcome);
        Assert.False(staler.IsCompleted, "a critical call was refused while a sheddable one ran");

        sheddable.Exit();
        Assert.Equal(QueueOutcome.WaitedTooLong, (await staler).Outcome);
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
