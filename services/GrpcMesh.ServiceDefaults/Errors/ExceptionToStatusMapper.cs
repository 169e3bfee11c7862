using System.Data.Common;
using Grpc.Core;
using GrpcMesh.ServiceDefaults.Hosting;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.ServiceDefaults.Errors;

/// <summary>
/// The last line of defence, consulted by <see cref="Hosting.ServerCallInterceptor"/> only when a handler throws something
/// other than an <see cref="RpcException"/>: maps it to a precise status (first a call the caller already ended →
/// CANCELLED/DEADLINE_EXCEEDED, then the services' own <see cref="IRpcExceptionMapper"/>s, a transient
/// <see cref="DbException"/> (the store cannot work now) → UNAVAILABLE, <see cref="TimeoutException"/> →
/// DEADLINE_EXCEEDED, everything unexpected → INTERNAL with a logged error), so no handler exception reaches the client
/// as UNKNOWN.
/// </summary>
public sealed partial class ExceptionToStatusMapper(ILogger<ExceptionToStatusMapper> logger, IEnumerable<IRpcExceptionMapper> mappers)
{
    private readonly IRpcExceptionMapper[] _mappers = [.. mappers];

    public ExceptionToStatusMapper(ILogger<ExceptionToStatusMapper> logger)
        : this(logger, [])
    {
    }

    /// <summary>The status an exception that is not an <see cref="RpcException"/> becomes (logged).</summary>
    public RpcException Map(Exception ex, ServerCallContext context)
    {
        if (EndedByCaller(ex, context))
        {
            if (CallDeadline.Of(context) <= DateTime.UtcNow)
            {
                LogDeadlinePassed(logger, context.Method);
                return new RpcException(new Status(StatusCode.DeadlineExceeded, "deadline exceeded while the server was working"));
            }

            LogCancelled(logger, ex, context.Method);
            return new RpcException(new Status(StatusCode.Cancelled, "call cancelled by the client"));
        }

        foreach (var mapper in _mappers)
        {
            if (mapper.TryMap(ex, context) is { } mapped)
            {
                return mapped;
            }
        }

        if (ex is DbException { IsTransient: true })
        {
            LogStoreUnavailable(logger, ex, context.Method);
            return RpcErrors.Unavailable(ex.Message);
        }

        if (ex is TimeoutException)
        {
            LogTimeout(logger, ex, context.Method);
            return new RpcException(new Status(StatusCode.DeadlineExceeded, "a dependency timed out: " + ex.Message));
        }

        LogUnhandled(logger, ex, context.Method);
        var traceId = System.Diagnostics.Activity.Current?.TraceId.ToString();
        return RpcErrors.Internal(traceId is null
            ? "internal error"
            : $"internal error (trace id {traceId})");
    }

    /// <summary>
    /// Whether the call was over for the caller (it cancelled, disconnected or its deadline passed: the call's token is
    /// cancelled) and the exception is what the call's own stream does after that: cancellation, an
    /// <see cref="IOException"/> from reading a reset request stream, or grpc-dotnet's <see cref="InvalidOperationException"/>
    /// for writing to a completed call. Nothing reaches the caller any more, so these are a normal end, not a server fault.
    /// Other exceptions still count as unhandled even then.
    /// </summary>
    private static bool EndedByCaller(Exception ex, ServerCallContext context) =>
        context.CancellationToken.IsCancellationRequested
        && ex is OperationCanceledException or IOException or InvalidOperationException;

    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "Unhandled exception in {Method}; returned INTERNAL")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "{Method} ended by the client (cancelled or disconnected)")]
    private static partial void LogCancelled(ILogger logger, Exception exception, string method);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "{Method} still running when its deadline passed")]
    private static partial void LogDeadlinePassed(ILogger logger, string method);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "{Method}: store unavailable; returned UNAVAILABLE")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception, string method);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "{Method} timed out waiting for a dependency")]
    private static partial void LogTimeout(ILogger logger, Exception exception, string method);
}
