using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Clients.Telemetry;

/// <summary>Log events of the client pipeline (category <c>GrpcMesh.Clients</c>), event IDs 2001 on: the server defaults own 1000–1999.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug,
        Message = "Retrying {Method} on {Target}: attempt {Attempt} failed with {StatusCode}; next attempt in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string method, string target, int attempt, StatusCode statusCode, double delayMs);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug,
        Message = "Retry budget of {Target} exhausted: {Method} fails with {StatusCode} without a retry")]
    public static partial void RetryBudgetExhausted(ILogger logger, string target, string method, StatusCode statusCode);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning,
        Message = "Circuit for {Target} opened for {BreakDurationMs} ms after {StatusCode}")]
    public static partial void BreakerOpened(ILogger logger, string target, double breakDurationMs, StatusCode? statusCode);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Circuit for {Target} half-open: letting one probe call through")]
    public static partial void BreakerHalfOpened(ILogger logger, string target);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Circuit for {Target} closed")]
    public static partial void BreakerClosed(ILogger logger, string target);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Debug,
        Message = "{Method} on {Target} failed fast: deadline {Deadline:o} already passed")]
    public static partial void DeadlineFailFast(ILogger logger, string method, string target, DateTime deadline);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning,
        Message = "Endpoint {Endpoint} of {Target} ejected for {DurationMs} ms after {Failures} failed attempts in a row (ejection level {Level})")]
    public static partial void EndpointEjected(ILogger logger, string target, string endpoint, int failures, double durationMs, int level);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Debug,
        Message = "Endpoint {Endpoint} of {Target} not ejected ({Reason}): the share of endpoints out of rotation is at its cap")]
    public static partial void EjectionCapped(ILogger logger, string target, string endpoint, string reason);

    // Information: every rollout drains replicas (NOT_SERVING) and a starved one may miss a check; the server logs its own trouble.
    [LoggerMessage(EventId = 2009, Level = LogLevel.Information, Message = "Endpoint {Endpoint} of {Target} is not serving (health NOT_SERVING, failed or unanswered): out of rotation")]
    public static partial void EndpointUnhealthy(ILogger logger, string target, string endpoint);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Endpoint {Endpoint} of {Target} reports SERVING: back in rotation")]
    public static partial void EndpointHealthy(ILogger logger, string target, string endpoint);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning,
        Message = "Health watch of endpoint {Endpoint} of {Target} failed unexpectedly; watching again in {DelayMs} ms")]
    public static partial void HealthWatchFailed(ILogger logger, string target, string endpoint, double delayMs, Exception exception);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Debug,
        Message = "Endpoint {Endpoint} of {Target} does not implement grpc.health.v1 Watch: polling Check every {IntervalMs} ms")]
    public static partial void HealthWatchUnimplemented(ILogger logger, string target, string endpoint, double intervalMs);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Debug,
        Message = "Health watch of endpoint {Endpoint} of {Target} ended ({How}); watching again in {DelayMs} ms")]
    public static partial void HealthWatchEnded(ILogger logger, string target, string endpoint, string how, double delayMs);
}
