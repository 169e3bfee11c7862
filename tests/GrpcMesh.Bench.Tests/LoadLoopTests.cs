using Grpc.Core;
using GrpcMesh.LoadTest.Load;
using GrpcMesh.Testing;

namespace GrpcMesh.Bench.Tests;

/// <summary>The load loops against in-memory calls: what they count, without any server or network.</summary>
public sealed class LoadLoopTests
{
    private static readonly ProgressReporter Quiet = new(TextWriter.Null, interactive: false);

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ClosedLoop_SomeCallsFail_CountsEachStatusAndOnlyOkLatencies()
    {
        // Worker i sends sequences i, i + 4, i + 8, …: every worker alternates OK and NOT_FOUND, so two calls of any
        // one worker inside the window show both, however unevenly a busy machine schedules the workers.
        UnaryCall call = async (sequence, _) =>
        {
            await Task.Yield();
            if (sequence / 4 % 2 == 0)
            {
                throw new RpcException(new Status(StatusCode.NotFound, "no such user"));
            }
        };

        var result = await ClosedLoop.RunAsync([call, call], concurrency: 4, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500),
            Quiet, "test", TestContext.Current.CancellationToken);

        var statuses = result.Statuses.ToDictionary();
        Assert.True(statuses["OK"] > 0);
        Assert.True(statuses["NOT_FOUND"] > 0);
        Assert.Equal(2, statuses.Count);
        Assert.Equal(statuses["OK"], result.OkLatencyMicros.TotalCount);
        Assert.Equal(statuses["NOT_FOUND"], result.Failed);
        Assert.Equal("NotFound: no such user", result.Statuses.FirstError);
        Assert.Equal(4, result.Concurrency);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task OpenLoop_FixedRate_SendsAboutRateTimesDurationAndMeasuresFromDueTime()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        UnaryCall call = async (_, _) =>
        {
            Interlocked.Increment(ref calls);
            await release.Task;
        };

        // Every call waits until the sending is over, so none may finish early and each OK latency covers the wait.
        var run = OpenLoop.RunAsync([call], rate: 500, TimeSpan.Zero, TimeSpan.FromMilliseconds(400), Quiet, "test",
            TestContext.Current.CancellationToken);
        await Eventually.WaitAsync(() => Volatile.Read(ref calls) >= 150, "150 calls sent");
        release.SetResult();
        var result = await run;

        Assert.InRange(result.Ok, 150, 201);
        Assert.Equal(0, result.Failed);
        Assert.Equal(0, result.NotSent);
        Assert.Equal(500, result.TargetRps);
        Assert.Equal(result.Ok, result.OkLatencyMicros.TotalCount);
        Assert.True(result.OkLatencyMicros.GetValueAtPercentile(100) > 0);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public Task StatusTally_ClientException_CountedApartFromStatuses() => TestTimeouts.RunSync(() =>
    {
        var tally = new StatusTally();
        tally.RecordOk();
        tally.Record(new RpcException(new Status(StatusCode.Unavailable, "down")));
        tally.Record(new InvalidOperationException("boom"));

        Assert.Equal(1, tally.Ok);
        Assert.Equal(2, tally.Failed);
        Assert.Equal(new Dictionary<string, long> { ["OK"] = 1, ["UNAVAILABLE"] = 1, ["CLIENT_EXCEPTION"] = 1 }, tally.ToDictionary());
        Assert.Equal("Unavailable: down", tally.FirstError);
    }, TestContext.Current.CancellationToken);
}
