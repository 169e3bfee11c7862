using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.ServiceDefaults.Errors;

/// <summary>
/// The last line of defence: lets <see cref="RpcException"/>s through and maps anything else to a precise
/// status (first the services' own <see cref="IRpcExceptionMapper"/>s, then cancellation → CANCELLED/DEADLINE_EXCEEDED,
/// <see cref="TimeoutException"/> → DEADLINE_EXCEEDED, everything unexpected → INTERNAL with a logged error), so no
/// handler exception reaches the client as UNKNOWN.
/// </summary>
public sealed partial class ExceptionMappingInterceptor(ILogger<ExceptionMappingInterceptor> logger, IEnumerable<IRpcExceptionMapper> mappers)
    : Interceptor
{
    private readonly IRpcExceptionMapper[] _mappers = [.. mappers];

    public ExceptionMappingInterceptor(ILogger<ExceptionMappingInterceptor> logger)
        : this(logger, [])
    {
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    /// <summary>The status an exception that is not an <see cref="RpcException"/> becomes (logged).</summary>
    internal RpcException Map(Exception ex, ServerCallContext context)
    {
        foreach (var mapper in _mappers)
        {
            if (mapper.TryMap(ex, context) is { } mapped)
            {
                return mapped;
            }
        }

        if (ex is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
        {
            var deadlinePassed = context.Deadline <= DateTime.UtcNow;
            LogCancelled(logger, context.Method, deadlinePassed);
            return deadlinePassed
                ? new RpcException(new Status(StatusCode.DeadlineExceeded, "deadline exceeded while the server was working"))
                : new RpcException(new Status(StatusCode.Cancelled, "call cancelled by the client"));
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

    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "Unhandled exception in {Method}; returned INTERNAL")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "{Method} cancelled (deadline passed: {DeadlinePassed})")]
    private static partial void LogCancelled(ILogger logger, string method, bool deadlinePassed);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "{Method} timed out waiting for a dependency")]
    private static partial void LogTimeout(ILogger logger, Exception exception, string method);
}
