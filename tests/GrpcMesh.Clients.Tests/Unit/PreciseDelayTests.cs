using System.Diagnostics;
using GrpcMesh.Clients.Resilience;
using GrpcMesh.Testing;

namespace GrpcMesh.Clients.Tests.Unit;

/// <summary>PreciseDelay on the real clock: what it promises is never ending early and ending at all; how late it ends is the bench's.</summary>
public sealed class PreciseDelayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task WaitAsync_ShortDelays_NoneEndsBeforeItIsDue()
    {
        // Task.Delay fails this on Linux: its timers tick on a 4 ms coarse clock and a 2.6 ms delay can end after 2.2 ms.
        var early = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            var delay = TimeSpan.FromMicroseconds(300 + (i * 37 % 4700));
            var started = Stopwatch.GetTimestamp();
            await PreciseDelay.WaitAsync(delay, Ct);
            var waited = Stopwatch.GetElapsedTime(started);
            if (waited < delay)
            {
                early.Add($"{delay.TotalMilliseconds} ms ended after {waited.TotalMilliseconds} ms");
            }
        }

        Assert.Empty(early);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task WaitAsync_ShorterDelayStartedLater_EndsFirst()
    {
        using var cancelLong = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var longDelay = PreciseDelay.WaitAsync(TimeSpan.FromMinutes(5), cancelLong.Token);

        // The thread sleeping for the five-minute delay is woken for the 5 ms one.
        await PreciseDelay.WaitAsync(TimeSpan.FromMilliseconds(5), Ct).WaitAsync(Eventually.DefaultTimeout, Ct);

        Assert.False(longDelay.IsCompleted);
        await cancelLong.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => longDelay);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task WaitAsync_Cancelled_EndsCancelledAndLeavesTheQueue()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var delays = Enumerable.Range(0, 100).Select(_ => PreciseDelay.WaitAsync(TimeSpan.FromMinutes(10), cancel.Token)).ToList();
        Assert.True(PreciseDelay.Pending >= 100, $"{PreciseDelay.Pending} pending");

        await cancel.CancelAsync();

        foreach (var delay in delays)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delay);
        }

        // Other tests' delays may be pending too, but none of these ten-minute ones.
        Assert.True(PreciseDelay.Pending < 100, $"{PreciseDelay.Pending} pending");
    }
}
