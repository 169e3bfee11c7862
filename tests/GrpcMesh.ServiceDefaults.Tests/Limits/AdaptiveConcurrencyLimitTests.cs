using GrpcMesh.ServiceDefaults.Limits;
using GrpcMesh.Testing;

namespace GrpcMesh.ServiceDefaults.Tests.Limits;

public sealed class AdaptiveConcurrencyLimitTests
{
    private const long Frequency = 1_000_000; // one tick per microsecond
    private const double Uncongested = 2_000; // 2 ms

    [Fact(Timeout = TestTimeouts.Default)]
    public void Update_CallsSlowerThanToleranceAllowsWhileBusy_LimitShrinksToTheFloorAndNoFurther()
    {
        var limit = Learned();

        var seen = new List<int>();
        for (var i = 0; i < 200; i++)
        {
            limit.Update(Uncongested * 4, maxRunning: limit.Limit, Rate(limit.Limit, Uncongested * 4));
            seen.Add(limit.Limit);
        }

        Assert.True(seen[0] < 100, $"first congested window left the limit at {seen[0]}");
        Assert.True(seen[0] >= 90, $"one window cut the limit by more than 10 %: {seen[0]}");
        Assert.Equal(10, seen[^1]);
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.Second <= p.First), "the limit never grows while calls are congested");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public void Update_BusyButNotSlower_LimitGrowsToTheCeilingAndNoFurther()
    {
        var limit = Learned(max: 400);

        for (var i = 0; i < 500; i++)
        {
            limit.Update(Uncongested, maxRunning: limit.Limit, Rate(limit.Limit, Uncongested));
        }

        Assert.Equal(400, limit.Limit);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public void Update_WithinTolerance_LimitDoesNotShrink()
    {
        var limit = Learned();

        limit.Update(Uncongested * 1.4, maxRunning: limit.Limit, Rate(limit.Limit, Uncongested * 1.4));

        Assert.True(limit.Limit >= 100, $"1.4x the uncongested time is within the 1.5 tolerance, yet the limit fell to {limit.Limit}");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public void Update_FewRunning_GrowsFromHalfInUseShrinksFromAQuarter()
    {
        var limit = Learned();

        for (var i = 0; i < 50; i++)
        {
            limit.Update(Uncongested, maxRunning: 49, Rate(49, Uncongested));
            limit.Update(Uncongested * 10, maxRunning: 24, Rate(24, Uncongested * 10));
        }

        Assert.Equal(100, limit.Limit);

        limit.Update(Uncongested * 10, maxRunning: 32, Rate(32, Uncongested * 10));
        Assert.True(limit.Limit < 100, $"calls 10x slower left the limit at {limit.Limit} although only 32 ran");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public void Update_CongestionEnds_LimitRecovers()
    {
        var limit = Learned();
        for (var i = 0; i < 100; i++)
        {
            limit.Update(Uncongested * 4, maxRunning: limit.Limit, Rate(limit.Limit, Uncongested * 4));
        }

        var floor = limit.Limit;
        for (var i = 0; i < 100; i++)
        {
            limit.Update(Uncongested, maxRunning: limit.Limit, Rate(limit.Limit, Uncongested));
        }

        Assert.True(limit.Limit > floor * 5, $"limit {limit.Limit} after 100 uncongested windows, from {floor}");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public void Record_WindowClosesOnlyAfterItsLengthAndEnoughCalls()
    {
        var limit = new AdaptiveConcurrencyLimit(min: 10, max: 1000, tolerance: 1.5, initial: 100, Frequency);
        var windowTicks = (long)(AdaptiveConcurrencyLimit.WindowLength.TotalSeconds * Frequency);

        Assert.False(limit.Record(2_000, running: 100, now: 0), "the first call opens the window");
        for (var samples = 2; samples < AdaptiveConcurrencyLimit.MinWindowSamples; samples++)
        {
            Assert.False(limit.Record(2_000, running: 100, now: windowTicks * 2), $"closed with {samples} calls");
        }

        Assert.False(limit.Record(2_000, running: 100, now: windowTicks - 1), "closed before the window's length");
        Assert.Equal(TimeSpan.Zero, limit.Baseline);
        Assert.True(limit.Record(2_000, running: 100, now: windowTicks));
        Assert.Equal(TimeSpan.FromMilliseconds(2), limit.Baseline);
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(100)]
    [InlineData(1_000)]
    public void Record_AFewStalledCallsPerWindow_NotCongestionMostCallsSlower_Congestion(int callsPerWindow)
    {
        // 3 % of the calls stall for 1 s (500x the 2 ms others take): their mean is 32 ms, their 90th percentile 2 ms.
        var stalled = Windows(callsPerWindow, call => call % 33 == 0 ? 1_000_000 : 2_000);
        Assert.Equal(TimeSpan.FromMilliseconds(2), stalled.Baseline);
        Assert.True(stalled.Limit > 100, $"a few stalled calls read as congestion: limit {stalled.Limit}");

        // Two thirds of the calls four times slower: the 90th percentile moves.
        var congested = Windows(callsPerWindow, call => call % 3 == 0 ? 2_000 : 8_000, learnFirst: true);
        Assert.True(congested.Limit < 100, $"most calls 4x slower, yet the limit is {congested.Limit}");
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(100)]
    [InlineData(1_000)]
    public void Record_AFifthOfCallsWaitingAServiceTime_Congestion(int callsPerWindow)
    {
        // What a resource of a few slots does with a few calls too many: most get a slot at once, the rest wait for
        // one. A median would not move until half of them waited.
        var queued = Windows(callsPerWindow, call => call % 5 == 0 ? 4_000 : 2_000, learnFirst: true);

        Assert.True(queued.Limit < 100, $"a fifth of the calls waited a service time, yet the limit is {queued.Limit}");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public void Update_BusyResourceOfEightSlots_LimitSettlesAtKneeGainTimesEight()
    {
        // Eight slots held 2 ms each: up to eight calls run uncongested; the calls beyond them wait a whole hold, so
        // once more than a tenth of them wait the 90th percentile is twice the hold. Without the cap the gradient (0.75
        // at twice the hold) would settle where 0.75 × limit + √limit = limit, at 16: half the calls waiting in the handler.
        const int slots = 8;
        var limit = Learned(min: 1);
        var seen = new List<int>();
        for (var i = 0; i < 300; i++)
        {
            double running = limit.Limit;
            var p90 = (running - slots) / running > 0.1 ? Uncongested * 2 : Uncongested;
            limit.Update(p90, maxRunning: limit.Limit, Rate(Math.Min(running, slots), Uncongested));
            seen.Add(limit.Limit);
        }

        var settled = seen.Skip(200).ToList();
        Assert.True(settled.Min() >= slots && settled.Max() <= slots * AdaptiveConcurrencyLimit.KneeGain,
            $"the limit moved between {settled.Min()} and {settled.Max()} over the last 100 windows; expected within [{slots}, {slots * AdaptiveConcurrencyLimit.KneeGain}]");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public void Update_SlowerWindowsBelowTheLimit_NotCappedAtTheCallsInFlight()
    {
        // Half the limit in use, calls 1.6x slower: within the gradient's headroom at a limit of 100. Little's law
        // then gives the calls in flight (50 ÷ 1.6 ms × 2 ms), not what the server could serve.
        var limit = Learned();

        for (var i = 0; i < 20; i++)
        {
            limit.Update(Uncongested * 1.6, maxRunning: 50, Rate(50, Uncongested * 1.6));
        }

        Assert.True(limit.Limit >= 100, $"the limit fell to {limit.Limit} with only half of it in use");
    }

    /// <summary>Thirty windows of <paramref name="callsPerWindow"/> calls with 60 running, each taking <paramref name="elapsed"/>(its index in the window); ten uncongested 2 ms windows first when <paramref name="learnFirst"/>.</summary>
    private static AdaptiveConcurrencyLimit Windows(int callsPerWindow, Func<int, long> elapsed, bool learnFirst = false)
    {
        var limit = new AdaptiveConcurrencyLimit(min: 10, max: 1000, tolerance: 1.5, initial: 100, Frequency);
        var windowTicks = (long)(AdaptiveConcurrencyLimit.WindowLength.TotalSeconds * Frequency);
        var now = 0L;
        for (var window = 0; window < (learnFirst ? 40 : 30); window++)
        {
            for (var call = 0; call < callsPerWindow; call++)
            {
                now += (windowTicks / callsPerWindow) + 1;
                limit.Record(learnFirst && window < 10 ? 2_000 : elapsed(call), running: 60, now);
            }
        }

        return limit;
    }

    /// <summary>Calls completed per tick by <paramref name="running"/> calls taking <paramref name="serviceTicks"/> each (Little's law).</summary>
    private static double Rate(double running, double serviceTicks) => running / serviceTicks;

    /// <summary>A limit of 100 that has seen 20 uncongested windows of 2 ms calls, while not busy.</summary>
    private static AdaptiveConcurrencyLimit Learned(int max = 1000, int min = 10)
    {
        var limit = new AdaptiveConcurrencyLimit(min: min, max: max, tolerance: 1.5, initial: 100, Frequency);
        for (var i = 0; i < 20; i++)
        {
            limit.Update(Uncongested, maxRunning: 1, Rate(1, Uncongested));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(2), limit.Baseline);
        Assert.Equal(100, limit.Limit);
        return limit;
    }
}
