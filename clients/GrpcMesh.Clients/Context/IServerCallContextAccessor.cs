using Grpc.Core;

namespace GrpcMesh.Clients.Context;

/// <summary>
/// The gRPC server call being handled on the current async flow, if any. Outgoing calls inherit its deadline and
/// cancellation and read its retry markers. The default implementation is fed by <see cref="ServerCallContextCaptureInterceptor"/>;
/// a host may register its own (e.g. one reading <c>IHttpContextAccessor</c> and <c>IServerCallContextFeature</c>).
/// </summary>
public interface IServerCallContextAccessor
{
    ServerCallContext? ServerCallContext { get; }
}
