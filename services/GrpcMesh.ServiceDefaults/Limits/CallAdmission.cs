using System.Diagnostics;
using Grpc.Core;
using GrpcMesh.ServiceDefaults.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Limits;

/// <summary>
/// Admission before any work, as gRPC statuses the client understands (never ASP.NET's HTTP 503/429, which gRPC clients
/// read as UNAVAILABLE and retry): per-caller rate limit → RESOURCE_EXHAUSTED with <c>grpc-retry-pushback-ms</c>;
/// a deadline already past or closer than <c>Limits:MinRemainingDeadline</c> → DEADLINE_EXCEEDED; for unary calls a
/// concurrency limit with a bounded queue (<see cref="CallGate"/>) → RESOURCE_EXHAUSTED when the queue is full,
/// DEADLINE_EXCEEDED for a call whose deadline passes while it waits (dropped without running); a call marked sheddable
/// (<see cref="Clients.Criticality"/>) never queues and leaves <c>Limits:CriticalReserve</c> of the slots to critical calls. Run by
/// <see cref="Hosting.ServerCallInterceptor"/>, which exempts health checks.
/// </summary>
internal sealed partial class CallAdmission(
    CallerRateLimiter rates, CallGate gate, IOptions<LimitsOptions> options, ILogger<CallAdmission> logger)
{
    private static readonly TimeSpan SheddablePushback = TimeSpan.FromMilliseconds(250);

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

        if (context.Deadline != DateTime.MaxValue)
        {
            var remaining = context.Deadline - DateTime.UtcNow;
            if (remaining < _minRemaining)
            {
                LogShed(logger, context.Method, remaining.TotalMilliseconds);
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, remaining <= TimeSpan.Zero
                    ? "deadline already exceeded on arrival; not started"
                    : $"deadline leaves {remaining.TotalMilliseconds:F1} ms, below Limits:MinRemainingDeadline ({_minRemaining.TotalMilliseconds} ms); not started"));
            }
        }
    }

    /// <summary>Takes a concurrency slot without waiting; release it with <see cref="ExitGate"/>.</summary>
    public bool TryEnterGate() => gate.TryEnter();

    /// <summary>Takes a slot for a sheddable call (release it with <see cref="ExitGate"/>) or throws the refusal: such calls never queue.</summary>
    public void EnterGateSheddable(ServerCallContext context)
    {
        if (!gate.TryEnterSheddable())
        {
            LogShedSheddable(logger, context.Method, gate.Running, gate.Queued);
            throw RpcErrors.ResourceExhausted("SHEDDABLE_REFUSED",
                $"server busy: {gate.Running} calls running, {gate.Queued} queued; sheddable calls (grpcmesh-criticality: sheddable) get at most {gate.SheddableSlots} of {options.Value.MaxConcurrentCalls} slots (Limits:CriticalReserve) and never queue; retry after {SheddablePushback.TotalMilliseconds} ms",
                SheddablePushback);
        }
    }

    /// <summary>Waits in the bounded queue for a slot (release it with <see cref="ExitGate"/>); throws the refusal.</summary>
    public async ValueTask EnterGateQueuedAsync(ServerCallContext context)
    {
        var queuedAt = Stopwatch.GetTimestamp();
        bool entered;
        try
        {
            entered = await gate.EnterQueuedAsync(context.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            var waited = Stopwatch.GetElapsedTime(queuedAt).TotalMilliseconds;
            LogDroppedFromQueue(logger, context.Method, waited);
            throw context.Deadline <= DateTime.UtcNow
                ? new RpcException(new Status(StatusCode.DeadlineExceeded, $"deadline expired after {waited:F0} ms in the server's queue; not started"))
                : new RpcException(new Status(StatusCode.Cancelled, "call cancelled while queued; not started"));
        }

        if (!entered)
        {
            LogOverloaded(logger, context.Method, gate.Running, gate.Queued);
            throw RpcErrors.ResourceExhausted("OVERLOADED",
                $"server overloaded: {gate.Running} calls running and the queue of {gate.MaxQueued} is full (Limits:MaxConcurrentCalls/MaxQueuedCalls)");
        }
    }

    public void ExitGate() => gate.Exit();

    /// <summary>The principal's name when the call is authenticated, else the client's IP address.</summary>
    private static string CallerOf(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        return http.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name }
            ? name
            : http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }

    [LoggerMessage(EventId = 1310, Level = LogLevel.Information, Message = "{Method}: caller {Caller} rate limited")]
    private static partial void LogRateLimited(ILogger logger, string method, string caller);

    [LoggerMessage(EventId = 1311, Level = LogLevel.Information, Message = "{Method}: refused, {RemainingMs} ms left before the deadline")]
    private static partial void LogShed(ILogger logger, string method, double remainingMs);

    [LoggerMessage(EventId = 1312, Level = LogLevel.Warning, Message = "{Method}: refused, {Running} calls running and {Queued} queued")]
    private static partial void LogOverloaded(ILogger logger, string method, int running, int queued);

    [LoggerMessage(EventId = 1314, Level = LogLevel.Information, Message = "{Method}: sheddable call refused, {Running} calls running and {Queued} queued")]
    private static partial void LogShedSheddable(ILogger logger, string method, int running, int queued);

    [LoggerMessage(EventId = 1313, Level = LogLevel.Information, Message = "{Method}: dropped from the queue after {WaitedMs} ms")]
    private static partial void LogDroppedFromQueue(ILogger logger, string method, double waitedMs);
}
