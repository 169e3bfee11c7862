using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GrpcMesh.Clients.Tests.Replicas;

/// <summary>Server interceptor of a replica: counts UserService calls, delays them while the replica is slow, fails them while it is faulty.</summary>
public sealed class ReplicaControlInterceptor(ReplicaControl control) : Interceptor
{
    private const string UserServicePrefix = "/grpcmesh.user.v1.UserService/";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (context.Method.StartsWith(UserServicePrefix, StringComparison.Ordinal))
        {
            control.Received();
            if (control.Delay > TimeSpan.Zero)
            {
                await Task.Delay(control.Delay); // not the call's token: a slow server that does not notice the deadline
            }

            if (control.Faulty)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "replica is faulty (test switch)"));
            }
        }

        return await continuation(request, context);
    }
}
