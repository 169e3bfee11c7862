using Grpc.Core;
using GrpcMesh.LoadTest.Load;
using GrpcMesh.LoadTest.Reporting;

namespace GrpcMesh.LoadTest.Scenarios.Traffic;

/// <summary>
/// <c>refusals</c>: what a refused call costs the server next to a served one — shedding must cost less than the work
/// it sheds. Replica <c>full</c>: a fixed limit of one call (<c>Limits:AdaptiveConcurrency</c> false,
/// <c>MaxConcurrentCalls</c> 1), taken for the whole scenario by one critical GetUser parked on the replica's one
/// resource slot, so every sheddable GetUser is refused by the gate (RESOURCE_EXHAUSTED, pushback). Replica <c>open</c>:
/// the same server with shipped limits and no resource, every GetUser answered from memory. Each gets a closed loop at
/// <c>--concurrency</c> over raw channels after an unrecorded warm-up; the figure is the replica process's CPU time
/// (user + system) over the measured phase ÷ the calls it answered.
/// </summary>
internal sealed class RefusalScenario() : TrafficScenario(
    "refusals",
    "server CPU per refused call (sheddable, gate full) vs per served call (from memory)")
{
    private static readonly TimeSpan ParkedDeadline = TimeSpan.FromMinutes(10);

    public override async Task<TrafficReport> RunAsync(ScenarioContext context, ProgressReporter progress, CancellationToken cancellationToken)
    {
        var options = context.Options;
        await using var replicas = await ReplicaSet.StartAsync(context, Name,
            [
                new("full", "--Limits:AdaptiveConcurrency", "false", "--Limits:MaxConcurrentCalls", "1",
                    "--Replica:ResourceSlots", "1", "--Replica:ResourceHold", ParkedDeadline.ToString()),
                new("open"),
            ],
            cancellationToken);
        var ids = MeshPhase.UserIds(options.Users);

        using var full = new ChannelSet(replicas.Address("full"), options.Connections);
        using var parked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var parkedCall = full.Bind(CriticalityCalls.GetUser(ids, context.Auth.Headers, ParkedDeadline, mixed: false))[0](0, parked.Token);
        await WaitForParkedCallAsync(replicas, parkedCall, cancellationToken);
        var (refusedPhase, refusedCpu) = await MeasureAsync(replicas, "full", full.Bind(CriticalityCalls.SheddableGetUser(ids, context.Auth.Headers, OverloadScenario.Deadline)),
            context, progress, "refused", cancellationToken);
        await parked.CancelAsync();
        await parkedCall.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

        using var open = new ChannelSet(replicas.Address("open"), options.Connections);
        var (servedPhase, servedCpu) = await MeasureAsync(replicas, "open", open.Bind(CriticalityCalls.GetUser(ids, context.Auth.Headers, OverloadScenario.Deadline, mixed: false)),
            context, progress, "served", cancellationToken);

        if (refusedPhase.Ok > 0 || refusedPhase.Statuses.Count(StatusCode.ResourceExhausted) == 0)
        {
            throw new InvalidOperationException($"the full replica did not refuse every call ({refusedPhase.Ok:N0} OK; first error: {refusedPhase.Statuses.FirstError})");
        }

        return new TrafficReport(
            [
                new("refused", "closed loop, sheddable calls to a full gate", PhaseReports.From(refusedPhase), RefusalsExpected: true),
                new("served", "closed loop, critical calls answered from memory", PhaseReports.From(servedPhase)),
            ],
            Refusals: new RefusalFigures(
                Math.Round(refusedPhase.Statuses.Count(StatusCode.ResourceExhausted) / refusedPhase.Measured.TotalSeconds, 1), PerCall(refusedCpu, refusedPhase),
                Math.Round(servedPhase.OkPerSecond, 1), PerCall(servedCpu, servedPhase)));
    }

    /// <summary>Microseconds of the replica's CPU per call it answered (the calls still in flight when the window closed included).</summary>
    private static double PerCall(TimeSpan cpu, PhaseResult phase) => phase.Completed > 0 ? Math.Round(cpu.TotalMicroseconds / phase.Completed, 2) : 0;

    /// <summary>The parked call holds the only slot once the replica's handler has it (its served counter says so).</summary>
    private static async Task WaitForParkedCallAsync(ReplicaSet replicas, Task parkedCall, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while ((await replicas.ReadServedAsync(timeout.Token))["full"] == 0)
        {
            if (parkedCall.IsCompleted)
            {
                await parkedCall; // throws what ended it
                throw new InvalidOperationException("the parked call ended before it took the slot");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
        }
    }

    private async Task<(PhaseResult Phase, TimeSpan Cpu)> MeasureAsync(
        ReplicaSet replicas, string replica, UnaryCall[] calls, ScenarioContext context, ProgressReporter progress, string phase, CancellationToken cancellationToken)
    {
        var options = context.Options;
        _ = await ClosedLoop.RunAsync(calls, options.Concurrency, TimeSpan.Zero, options.Warmup, progress, $"{Name} {phase} warm-up", cancellationToken);
        var before = replicas.CpuTime(replica);
        var result = await ClosedLoop.RunAsync(calls, options.Concurrency, TimeSpan.Zero, options.Duration, progress,
            $"{Name} {phase} c={options.Concurrency}", cancellationToken);
        return (result, replicas.CpuTime(replica) - before);
    }
}
