using Grpc.Core;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.ServiceDefaults.Errors;

namespace GrpcMesh.OrderService.Grpc;

/// <summary>
/// <see cref="OrderStoreUnavailableException"/> (database unreachable, failing over, pool exhausted) → UNAVAILABLE, which
/// clients retry, instead of INTERNAL; consulted by ServiceDefaults' exception mapping.
/// </summary>
internal sealed partial class StoreUnavailableMapper(ILogger<StoreUnavailableMapper> logger) : IRpcExceptionMapper
{
    public RpcException? TryMap(Exception exception, ServerCallContext context)
    {
        if (exception is not OrderStoreUnavailableException unavailable)
        {
            return null;
        }

        LogUnavailable(logger, unavailable, context.Method);
        return RpcErrors.Unavailable(unavailable.Message);
    }

    [LoggerMessage(EventId = 2090, Level = LogLevel.Warning, Message = "{Method}: order store unavailable; returned UNAVAILABLE")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string method);
}
