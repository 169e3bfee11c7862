using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GrpcMesh.Clients.Context;

/// <summary>
/// Server interceptor that makes the incoming call visible to GrpcMesh clients used while handling it, so their calls
/// inherit its deadline and cancellation and follow the cross-hop retry rule. Register it on the server:
/// <c>services.AddGrpc(o =&gt; o.Interceptors.Add&lt;ServerCallContextCaptureInterceptor&gt;())</c>.
/// Depends only on Grpc.Core.Api, so the client library stays usable outside ASP.NET Core.
/// </summary>
public sealed class ServerCallContextCaptureInterceptor(AmbientServerCallContextAccessor accessor) : Interceptor
{
    // Async methods so the AsyncLocal value is scoped to the handler's flow and restored afterwards.
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        accessor.ServerCallContext = context;
        return await continuation(request, context).ConfigureAwait(false);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        accessor.ServerCallContext = context;
        return await continuation(requestStream, context).ConfigureAwait(false);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        accessor.ServerCallContext = context;
        await continuation(request, responseStream, context).ConfigureAwait(false);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        accessor.ServerCallContext = context;
        await continuation(requestStream, responseStream, context).ConfigureAwait(false);
    }
}
