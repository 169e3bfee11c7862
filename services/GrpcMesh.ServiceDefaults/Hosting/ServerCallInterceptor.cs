using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Health.V1;
using GrpcMesh.ServiceDefaults.Auth;
using GrpcMesh.ServiceDefaults.Errors;
using GrpcMesh.ServiceDefaults.Health;
using GrpcMesh.ServiceDefaults.Limits;
using GrpcMesh.ServiceDefaults.Telemetry;

namespace GrpcMesh.ServiceDefaults.Hosting;

/// <summary>
/// What every call goes through, outermost first: the <see cref="GrpcMeshTelemetry.ServerCallDuration"/> measurement
/// (with the status the client gets), exception mapping (<see cref="ExceptionToStatusMapper"/>: anything but an
/// <see cref="RpcException"/> becomes INTERNAL/CANCELLED/DEADLINE_EXCEEDED), authentication and scopes
/// (<see cref="CallAuthenticator"/>; health and reflection are open) and admission (<see cref="CallAdmission"/>: rate
/// limit, deadline, and the concurrency gate for unary calls — a sheddable gRPC call the gate would refuse is refused
/// before grpc-dotnet runs, by <see cref="SheddableRefusals"/>; health is exempt, and reflection for streams). A health Check for
/// an unknown name gets a message naming the names that exist (<see cref="UnknownHealthService"/>).
/// <para>
/// One interceptor rather than four on purpose: grpc-dotnet resolves every interceptor and allocates a continuation
/// closure and an async state machine for it on every call, which made the four separate layers cost more than the
/// work they do (bench/README.md, "Server hot path").
/// </para>
/// </summary>
internal sealed class ServerCallInterceptor(
    RpcMetrics metrics, ExceptionToStatusMapper exceptions, CallAuthenticator authenticator, CallAdmission admission,
    UnknownHealthService unknownHealthService) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var start = Stopwatch.GetTimestamp();
        var slot = default(GateSlot);
        try
        {
            var auth = authenticator.AuthenticateAsync(context);
            var token = auth.IsCompletedSuccessfully ? auth.Result : await auth.ConfigureAwait(false);
            if (!RequestPaths.IsHealth(context.Method))
            {
                admission.Admit(context, token?.Subject);
                if (admission.GateEnabled)
                {
                    var entering = admission.EnterGateAsync(context);
                    slot = entering.IsCompletedSuccessfully ? entering.Result : await entering.ConfigureAwait(false);
                }
            }

            var response = await continuation(request, context).ConfigureAwait(false);
            metrics.RecordServer(context, context.Status.StatusCode, start);
            return response;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound && request is HealthCheckRequest health && ex.Status.Detail.Length == 0)
        {
            metrics.RecordServer(context, ex.StatusCode, start);
            throw unknownHealthService.Explain(health.Service);
        }
        catch (RpcException ex)
        {
            metrics.RecordServer(context, ex.StatusCode, start);
            throw;
        }
        catch (Exception ex)
        {
            throw Map(ex, context, start);
        }
        finally
        {
            slot.Exit();
        }
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        RunStreamingAsync(context, admit: !RequestPaths.IsHealth(context.Method), () => continuation(request, responseStream, context));

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        TResponse response = null!;
        await RunStreamingAsync(context, admit: true, async () => response = await continuation(requestStream, context).ConfigureAwait(false))
            .ConfigureAwait(false);
        return response;
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        RunStreamingAsync(context, admit: !RequestPaths.IsReflection(context.Method), () => continuation(requestStream, responseStream, context));

    /// <summary>
    /// The streaming kinds share one path (a closure per call is nothing next to a stream's lifetime): authenticate,
    /// admit unless exempt (health Watch, reflection), run, record the outcome, map leftovers.
    /// </summary>
    private async Task RunStreamingAsync(ServerCallContext context, bool admit, Func<Task> handler)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            var token = await authenticator.AuthenticateAsync(context).ConfigureAwait(false);
            if (admit)
            {
                admission.Admit(context, token?.Subject);
            }

            await handler().ConfigureAwait(false);
            metrics.RecordServer(context, context.Status.StatusCode, start);
        }
        catch (RpcException ex)
        {
            metrics.RecordServer(context, ex.StatusCode, start);
            throw;
        }
        catch (Exception ex)
        {
            throw Map(ex, context, start);
        }
    }

    private RpcException Map(Exception exception, ServerCallContext context, long start)
    {
        var mapped = exceptions.Map(exception, context);
        metrics.RecordServer(context, mapped.StatusCode, start);
        return mapped;
    }
}
