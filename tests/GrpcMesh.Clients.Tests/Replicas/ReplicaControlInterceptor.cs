using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GrpcMesh.Clients.Tests.Replicas;

/// <summary>Server interceptor of a replica: counts UserService calls and fails them while the replica is faulty.</summary>
public sealed class ReplicaControlInterceptor(ReplicaControl control) : Interceptor
{
    private const string UserServicePrefix = "/grpcmesh.user.v1.UserService/";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (context.Method.StartsWith(UserServicePrefix, StringComparison.Ordinal))
        {
            control.Received();
            if (control.Faulty)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "replica is faulty (test switch)"));
            }
        }

        return continuation(request, context);
    }
}
