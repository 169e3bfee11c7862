using Grpc.Core;
using GrpcMesh.ServiceDefaults.Errors;
using GrpcMesh.UserService.Domain;

namespace GrpcMesh.UserService.Grpc;

/// <summary>
/// Turns the domain's refusals (<see cref="DomainException"/>, thrown only by <see cref="UserGrpcService"/>'s store and
/// domain) into their gRPC status with google.rpc details, for ServiceDefaults' exception mapping.
/// </summary>
internal sealed partial class DomainExceptionMapper(ILogger<DomainExceptionMapper> logger) : IRpcExceptionMapper
{
    public const string ConcurrentModificationReason = "CONCURRENT_MODIFICATION";

    public RpcException? TryMap(Exception exception, ServerCallContext context) =>
        exception is DomainException domain ? ToRpcException(domain, context.Method) : null;

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
            default:
                LogUnmapped(logger, exception, method);
                return RpcErrors.Internal("internal error");
        }
    }

    [LoggerMessage(EventId = 2091, Level = LogLevel.Error, Message = "{Method}: unmapped domain exception; returned INTERNAL")]
    private static partial void LogUnmapped(ILogger logger, Exception exception, string method);
}
