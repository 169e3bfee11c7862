using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcMesh.ServiceDefaults.Errors;
using GrpcMesh.UserService.Domain;

namespace GrpcMesh.UserService.Grpc;

/// <summary>
/// Turns the domain's refusals into their gRPC status with google.rpc details; registered for
/// <see cref="UserGrpcService"/> only (inside the global exception-mapping interceptor).
/// </summary>
internal sealed partial class DomainExceptionInterceptor(ILogger<DomainExceptionInterceptor> logger) : Interceptor
{
    public const string ConcurrentModificationReason = "CONCURRENT_MODIFICATION";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (DomainException ex)
        {
            throw ToRpcException(ex, context.Method);
        }
    }

    private RpcException ToRpcException(DomainException exception, string method)
    {
        switch (exception)
        {
            case ResourceNotFoundException notFound:
                return RpcErrors.NotFound(notFound.ResourceType, notFound.ResourceId);
            case ResourceConflictException conflict:
                return RpcErrors.AlreadyExists(conflict.ResourceType, conflict.ResourceId, conflict.Message);
            case PreconditionFailedException precondition:
                return RpcErrors.FailedPrecondition(precondition.Type, precondition.Subject, precondition.Message);
            case ConcurrencyConflictException conflict:
                return RpcErrors.Aborted(ConcurrentModificationReason, conflict.Message);
            case StoreUnavailableException unavailable:
                LogStoreUnavailable(logger, unavailable, method);
                return RpcErrors.Unavailable(unavailable.Message);
            default:
                LogUnmapped(logger, exception, method);
                return RpcErrors.Internal("internal error");
        }
    }

    [LoggerMessage(EventId = 2090, Level = LogLevel.Warning, Message = "{Method}: user store unavailable; returned UNAVAILABLE")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception, string method);

    [LoggerMessage(EventId = 2091, Level = LogLevel.Error, Message = "{Method}: unmapped domain exception; returned INTERNAL")]
    private static partial void LogUnmapped(ILogger logger, Exception exception, string method);
}
