using Grpc.Core;

namespace GrpcMesh.ServiceDefaults.Errors;

/// <summary>
/// A service's own exceptions → gRPC statuses (e.g. domain refusals → NOT_FOUND, FAILED_PRECONDITION). Every registered
/// mapper is asked, in registration order, before <see cref="ExceptionToStatusMapper"/>'s generic rules; the first
/// non-null answer is what the client gets. Register with
/// <see cref="RpcExceptionMapperExtensions.AddRpcExceptionMapper{TMapper}"/>. Only consulted when a handler throws, so a
/// mapper costs nothing on the success path (an interceptor per service would cost every call).
/// </summary>
public interface IRpcExceptionMapper
{
    /// <summary>The status for <paramref name="exception"/>, or null when this mapper does not know it.</summary>
    RpcException? TryMap(Exception exception, ServerCallContext context);
}
