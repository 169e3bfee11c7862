using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Clients.Telemetry;

/// <summary>Log events of the client pipeline (category <c>GrpcMesh.Clients</c>).</summary>
internal static partial class ClientLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug,
        Message = "Retrying {Method} on {Target}: attempt {Attempt} failed with {StatusCode}; next attempt in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string method, string target, int attempt, StatusCode statusCode, double delayMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug,
        Message = "Retry budget of {Target} exhausted: {Method} fails with {StatusCode} without a retry")]
    public static partial void RetryBudgetExhausted(ILogger logger, string target, string method, StatusCode statusCode);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning,
        Message = "Circuit for {Target} opened for {BreakDurationMs} ms after {StatusCode}")]
    public static partial void BreakerOpened(ILogger logger, string target, double breakDurationMs, StatusCode? statusCode);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Circuit for {Target} half-open: letting one probe call through")]
    public static partial void BreakerHalfOpened(ILogger logger, string target);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Circuit for {Target} closed")]
    public static partial void BreakerClosed(ILogger logger, string target);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug,
        Message = "{Method} on {Target} failed fast: deadline {Deadline:o} already passed")]
    public static partial void DeadlineFailFast(ILogger logger, string method, string target, DateTime deadline);
}
