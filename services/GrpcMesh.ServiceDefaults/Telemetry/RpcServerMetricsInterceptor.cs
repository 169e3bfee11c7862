using System.Diagnostics;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;

namespace GrpcMesh.ServiceDefaults.Telemetry;

/// <summary>
/// Records <see cref="GrpcMeshTelemetry.ServerCallDuration"/> for every handled call. Registered first, so it sees
/// the status the client gets after <see cref="Errors.ExceptionMappingInterceptor"/> has mapped exceptions.
/// </summary>
internal sealed class RpcServerMetricsInterceptor(RpcMetrics metrics) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            var response = await continuation(request, context).ConfigureAwait(false);
            Record(context, context.Status.StatusCode, start);
            return response;
        }
        catch (Exception ex)
        {
            Record(context, StatusOf(ex, context), start);
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            Record(context, context.Status.StatusCode, start);
        }
        catch (Exception ex)
        {
            Record(context, StatusOf(ex, context), start);
            throw;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            var response = await continuation(requestStream, context).ConfigureAwait(false);
            Record(context, context.Status.StatusCode, start);
            return response;
        }
        catch (Exception ex)
        {
            Record(context, StatusOf(ex, context), start);
            throw;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
            Record(context, context.Status.StatusCode, start);
        }
        catch (Exception ex)
        {
            Record(context, StatusOf(ex, context), start);
            throw;
        }
    }

    /// <summary>The status grpc-dotnet sends for an exception leaving the handler chain.</summary>
    internal static StatusCode StatusOf(Exception exception, ServerCallContext context) => exception switch
    {
        RpcException rpc => rpc.StatusCode,
        OperationCanceledException when context.CancellationToken.IsCancellationRequested =>
            context.Deadline <= DateTime.UtcNow ? StatusCode.DeadlineExceeded : StatusCode.Cancelled,
        _ => StatusCode.Unknown,
    };

    private void Record(ServerCallContext context, StatusCode status, long start)
    {
        var method = context.GetHttpContext().GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
        if (method is not null)
        {
            metrics.RecordServer(method.ServiceName, method.Name, status, start);
            return;
        }

        var (service, name) = MethodNames.Split(context.Method);
        metrics.RecordServer(service, name, status, start);
    }
}
