using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.ServiceDefaults.Errors;

namespace GrpcMesh.OrderService.Grpc;

/// <summary>
/// <see cref="OrderStoreUnavailableException"/> (database unreachable, failing over, pool exhausted) → UNAVAILABLE, which
/// clients retry, instead of INTERNAL. Registered for <see cref="OrderGrpcService"/> inside the global exception mapping.
/// </summary>
internal sealed partial class StoreUnavailableInterceptor(ILogger<StoreUnavailableInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (OrderStoreUnavailableException ex)
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
            await continuation(request, responseStream, context);
        }
        catch (OrderStoreUnavailableException ex)
        {
            throw Map(ex, context);
        }
    }

    private RpcException Map(OrderStoreUnavailableException exception, ServerCallContext context)
    {
        LogUnavailable(logger, exception, context.Method);
        return RpcErrors.Unavailable(exception.Message);
    }

    [LoggerMessage(EventId = 2090, Level = LogLevel.Warning, Message = "{Method}: order store unavailable; returned UNAVAILABLE")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string method);
}
