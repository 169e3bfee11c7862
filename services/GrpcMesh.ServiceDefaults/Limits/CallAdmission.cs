using System.Diagnostics;
using Grpc.Core;
using GrpcMesh.Clients;
using GrpcMesh.ServiceDefaults.Errors;
using GrpcMesh.ServiceDefaults.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Limits;

/// <summary>
/// Admission before any work, as gRPC statuses the client understands (never ASP.NET's HTTP 503/429, which gRPC clients
/// read as UNAVAILABLE and retry): per-caller rate limit → RESOURCE_EXHAUSTED with <c>grpc-retry-pushback-ms</c>;
/// a deadline already past or closer than <c>Limits:MinRemainingDeadline</c> → DEADLINE_EXCEEDED; for unary calls a
/// concurrency limit, adaptive by default, with a bounded queue (<see cref="CallGate"/>) → RESOURCE_EXHAUSTED with pushback
/// when the queue is full or a call waited too long in a standing queue, DEADLINE_EXCEEDED for a call whose deadline
/// passes while it waits (dropped without running); a call marked sheddable
/// (<see cref="Clients.Criticality"/>) never queues and leaves <c>Limits:CriticalReserve</c> of the slots to critical calls. Run by
/// <see cref="Hosting.ServerCallInterceptor"/>, which exempts health checks; <see cref="SheddableRefusals"/> refuses a
/// sheddable gRPC call the gate would refuse before grpc-dotnet runs (without an exception, <see cref="Refusal"/>).
/// </summary>
internal sealed partial class CallAdmission(
    CallerRateLimiter rates, CallGate gate, IOptions<LimitsOptions> options, ILogger<CallAdmission> logger)
{
    private static readonly TimeSpan SheddablePushback = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan OverloadPushback = TimeSpan.FromMilliseconds(100);

    private readonly TimeSpan _minRemaining = options.Value.MinRemainingDeadline;

    public bool GateEnabled => gate.Enabled;

    /// <summary>
    /// Rate limit and deadline check; throws the refusal. <paramref name="subject"/> is the authenticated caller
    /// (the token's <c>sub</c>), null to key on the principal set by other authentication or the client's IP address.
    /// </summary>
    public void Admit(ServerCallContext context, string? subject)
    {
        if (rates.Enabled)
        {
            var caller = string.IsNullOrEmpty(subject) ? CallerOf(context) : subject;
            if (!rates.TryAcquire(caller, out var retryAfter))
            {
                LogRateLimited(logger, context.Method, caller);
                throw RpcErrors.ResourceExhausted("RATE_LIMITED",
                    $"rate limit exceeded for caller '{caller}' ({options.Value.PermitsPerSecond}/s, burst {options.Value.Burst}); retry after {Math.Ceiling(retryAfter.TotalMilliseconds)} ms",
                    retryAfter);
            }
        }

        var deadline = CallDeadline.Of(context);
        if (deadline != DateTime.MaxValue)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining < _minRemaining)
            {
                LogShed(logger, context.Method, remaining.TotalMilliseconds);
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, remaining <= TimeSpan.Zero
                    ? "deadline already exceeded on arrival; not started"
                    : $"deadline leaves {remaining.TotalMilliseconds:F1} ms, below Limits:MinRemainingDeadline ({_minRemaining.TotalMilliseconds} ms); not started"));
            }
        }
    }

    /// <summary>The refusal of a sheddable call to <paramref name="method"/> if the gate would refuse it now, else null (it then goes on to <see cref="EnterGateAsync"/>).</summary>
    public Refusal? RefuseSheddableNow(string method) => gate.Enabled && gate.RefusesSheddable ? RefuseSheddable(method) : null;

    /// <summary>A slot for the call, or throws the refusal: a sheddable call never queues; a critical one waits in the bounded queue.</summary>
    public ValueTask<GateSlot> EnterGateAsync(ServerCallContext context)
    {
        if (Criticality.IsSheddable(context.RequestHeaders))
        {
            return gate.TryEnterSheddable(out var shed) ? new(shed) : throw RefuseSheddable(context.Method).ToRpcException();
        }

        return gate.TryEnter(out var slot) ? new(slot) : EnterQueuedAsync(context);
    }

    private async ValueTask<GateSlot> EnterQueuedAsync(ServerCallContext context)
    {
        var queuedAt = Stopwatch.GetTimestamp();
        QueueOutcome outcome;
        GateSlot slot;
        try
        {
            (outcome, slot) = await gate.EnterQueuedAsync(context.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            var waited = Stopwatch.GetElapsedTime(queuedAt).TotalMilliseconds;
            LogDroppedFromQueue(logger, context.Method, waited);
            throw CallDeadline.Of(context) <= DateTime.UtcNow
                ? new RpcException(new Status(StatusCode.DeadlineExceeded, $"deadline expired after {waited:F0} ms in the server's queue; not started"))
                : new RpcException(new Status(StatusCode.Cancelled, "call cancelled while queued; not started"));
        }

        switch (outcome)
        {
            case QueueOutcome.QueueFull:
                LogOverloaded(logger, context.Method, gate.Running, gate.Queued);
                throw RpcErrors.ResourceExhausted("OVERLOADED",
                    $"server overloaded: {gate.Running} calls running (limit {gate.Limit}) and the queue of {gate.MaxQueued} is full (Limits:MaxConcurrentCalls/MaxQueuedCalls); retry after {OverloadPushback.TotalMilliseconds} ms",
                    OverloadPushback);
            case QueueOutcome.WaitedTooLong:
                var waited = Stopwatch.GetElapsedTime(queuedAt).TotalMilliseconds;
                LogWaitedTooLong(logger, context.Method, waited, gate.Limit);
                throw RpcErrors.ResourceExhausted("OVERLOADED",
                    $"server overloaded: waited {waited:F1} ms in a queue standing for over {gate.StandingInterval.TotalMilliseconds:F0} ms, longer than a quarter of what a call takes here ({gate.LearnedServiceTime?.TotalMilliseconds:F1} ms); {gate.Limit} calls run at once (Limits:AdaptiveConcurrency); retry after {OverloadPushback.TotalMilliseconds} ms",
                    OverloadPushback);
            default:
                return slot;
        }
    }

    private Refusal RefuseSheddable(string method)
    {
        LogShedSheddable(logger, method, gate.Running, gate.Queued);
        return Refusal.ResourceExhausted("SHEDDABLE_REFUSED",
            $"server busy: {gate.Running} calls running, {gate.Queued} queued; sheddable calls (grpcmesh-criticality: sheddable) get at most {gate.SheddableSlots} of {gate.Limit} slots (Limits:CriticalReserve), never queue and wait {CallGate.SheddableHold.TotalSeconds} s after a critical call was refused; retry after {SheddablePushback.TotalMilliseconds} ms",
            SheddablePushback);
    }

    /// <summary>The principal's name when the call is authenticated, else the client's IP address.</summary>
    private static string CallerOf(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        return http.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name }
            ? name
            : http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }

    // Every refusal logs at Debug: refusals come by the thousand per second exactly when the server is overloaded, when
    // a line each would cost the most (see LoggingDefaults). The rpc.server.call.duration metric counts them by status.
    [LoggerMessage(EventId = 1310, Level = LogLevel.Debug, Message = "{Method}: caller {Caller} rate limited")]
    private static partial void LogRateLimited(ILogger logger, string method, string caller);

    [LoggerMessage(EventId = 1311, Level = LogLevel.Debug, Message = "{Method}: refused, {RemainingMs} ms left before the deadline")]
    private static partial void LogShed(ILogger logger, string method, double remainingMs);

    [LoggerMessage(EventId = 1312, Level = LogLevel.Debug, Message = "{Method}: refused, {Running} calls running and {Queued} queued")]
    private static partial void LogOverloaded(ILogger logger, string method, int running, int queued);

    [LoggerMessage(EventId = 1314, Level = LogLevel.Debug, Message = "{Method}: sheddable call refused, {Running} calls running and {Queued} queued")]
    private static partial void LogShedSheddable(ILogger logger, string method, int running, int queued);

    [LoggerMessage(EventId = 1315, Level = LogLevel.Debug, Message = "{Method}: refused after {WaitedMs} ms in a standing queue (limit {Limit})")]
    private static partial void LogWaitedTooLong(ILogger logger, string method, double waitedMs, int limit);

    [LoggerMessage(EventId = 1313, Level = LogLevel.Debug, Message = "{Method}: dropped from the queue after {WaitedMs} ms")]
    private static partial void LogDroppedFromQueue(ILogger logger, string method, double waitedMs);
}
