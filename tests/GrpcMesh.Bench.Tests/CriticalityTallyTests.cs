using System.Diagnostics;
using Grpc.Core;
using GrpcMesh.LoadTest.Load;
using GrpcMesh.Testing;
using HdrHistogram;

namespace GrpcMesh.Bench.Tests;

/// <summary>The overload scenario's per-criticality counts and its 100 ms priority-inversion windows, on synthetic calls.</summary>
public sealed class CriticalityTallyTests
{
    private static readonly long Window = Stopwatch.Frequency / 10;
    private static readonly RpcException Refused = new(new Status(StatusCode.ResourceExhausted, "busy"));
    private static readonly RpcException TimedOut = new(new Status(StatusCode.DeadlineExceeded, "queued too long"));

    [Fact(Timeout = TestTimeouts.Default)]
    public Task CheckWindows_CriticalRefusedAndSheddableAdmittedInOneWindow_CountsOnlyThatWindow() => TestTimeouts.RunSync(() =>
    {
        var tally = new CriticalityTally(TimeSpan.FromMilliseconds(100));
        var start = 1_000 * Window;

        // Window 0: a critical call refused and a sheddable one admitted — the inversion. A refusal at the start of
        // window 1 and an admission at the start of window 2 are in different windows. Window 3: both calls refused.
        tally.Record(sheddable: false, start + 1, 10, Refused);
        tally.Record(sheddable: true, start + Window - 1, 10, null);
        tally.Record(sheddable: false, start + Window, 10, Refused);
        tally.Record(sheddable: true, start + (2 * Window), 10, null);
        tally.Record(sheddable: false, start + (3 * Window), 10, Refused);
        tally.Record(sheddable: true, start + (3 * Window) + 5, 10, Refused);

        var check = tally.CheckWindows();

        Assert.Equal(4, check.Windows);
        Assert.Equal(1, check.CriticalRefusedWhileSheddableAdmitted);
        Assert.Equal(1, check.CriticalFailedWhileSheddableAdmitted);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task CriticalRefusedWhileSheddableRunning_CountsRefusalsAnsweredInsideAnAdmittedSheddableCall() => TestTimeouts.RunSync(() =>
    {
        var tally = new CriticalityTally(TimeSpan.FromMilliseconds(100));
        var start = 1_000 * Window;

        // Sheddable calls admitted over [start, start + 100] and [start + 50, start + 300] (one span once merged), and
        // [start + 1000, start + 1010]; a sheddable call refused over [start + 2000, start + 3000] does not count.
        tally.Record(sheddable: true, start, 100, null);
        tally.Record(sheddable: true, start + 50, 250, null);
        tally.Record(sheddable: true, start + 1_000, 10, null);
        tally.Record(sheddable: true, start + 2_000, 1_000, Refused);

        tally.Record(sheddable: false, start + 200, 50, Refused);   // answered at +250: inside the merged span
        tally.Record(sheddable: false, start + 290, 20, Refused);   // +310: just after it
        tally.Record(sheddable: false, start + 990, 15, Refused);   // +1005: inside the third
        tally.Record(sheddable: false, start + 2_100, 10, Refused); // +2110: only a refused sheddable call ran
        tally.Record(sheddable: false, start + 100, 50, TimedOut);  // not a refusal

        Assert.Equal(2, tally.CriticalRefusedWhileSheddableRunning());
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task CheckWindows_CriticalTimedOutWhileSheddableAdmitted_IsAFailureButNotARefusal() => TestTimeouts.RunSync(() =>
    {
        var tally = new CriticalityTally(TimeSpan.FromMilliseconds(100));
        var start = 7 * Window;

        tally.Record(sheddable: false, start, 10, TimedOut);
        tally.Record(sheddable: true, start + 1, 10, null);

        var check = tally.CheckWindows();

        Assert.Equal(1, check.Windows);
        Assert.Equal(0, check.CriticalRefusedWhileSheddableAdmitted);
        Assert.Equal(1, check.CriticalFailedWhileSheddableAdmitted);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Observer_SplitsCallsBySequence_CountsStatusesAndOkLatencyPerCriticality() => TestTimeouts.RunSync(() =>
    {
        var tally = new CriticalityTally(TimeSpan.FromMilliseconds(100));
        var observe = tally.Observer(sequence => sequence % 2 == 1);

        observe(0, Window, Stopwatch.Frequency / 1000, null);
        observe(2, Window, Stopwatch.Frequency / 1000, TimedOut);
        observe(1, Window, Stopwatch.Frequency / 100, null);
        observe(3, Window, Stopwatch.Frequency / 100, Refused);
        observe(5, Window, Stopwatch.Frequency / 100, Refused);

        Assert.Equal(new Dictionary<string, long> { ["OK"] = 1, ["DEADLINE_EXCEEDED"] = 1 }, tally.Critical.ToDictionary());
        Assert.Equal(new Dictionary<string, long> { ["OK"] = 1, ["RESOURCE_EXHAUSTED"] = 2 }, tally.Sheddable.ToDictionary());
        Assert.Equal(1, tally.CriticalLatency.TotalCount);
        Assert.InRange(tally.CriticalLatency.GetMaxValue(), 990, 1_010); // 1 ms in µs, HdrHistogram's 3 digits
        Assert.InRange(tally.SheddableLatency.GetMaxValue(), 9_990, 10_010);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Record_SettledCriticalLatency_OnlyCriticalOkCallsSentFromTheSettleTime() => TestTimeouts.RunSync(() =>
    {
        var settled = 50 * Window;
        var tally = new CriticalityTally(TimeSpan.FromMilliseconds(100), settled);

        tally.Record(sheddable: false, settled - 1, Stopwatch.Frequency / 10, null); // before: 100 ms
        tally.Record(sheddable: false, settled, Stopwatch.Frequency / 1000, null); // from it: 1 ms
        tally.Record(sheddable: false, settled + 1, Stopwatch.Frequency / 20, Refused);
        tally.Record(sheddable: true, settled + 2, Stopwatch.Frequency / 20, null);

        Assert.Equal(2, tally.CriticalLatency.TotalCount);
        Assert.Equal(1, tally.SettledCriticalLatency.TotalCount);
        Assert.InRange(tally.SettledCriticalLatency.GetMaxValue(), 990, 1_010);
    }, TestContext.Current.CancellationToken);
}
