using System.Diagnostics;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using GrpcMesh.Clients;
using GrpcMesh.ServiceDefaults.Auth;
using GrpcMesh.ServiceDefaults.Errors;
using GrpcMesh.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Http;

namespace GrpcMesh.ServiceDefaults.Limits;

/// <summary>
/// The concurrency gate (<see cref="CallAdmission.EnterGateAsync(string, bool, CancellationToken)"/>) for gRPC unary
/// calls on the service's own port, in front of grpc-dotnet: a refusal is written as a trailers-only response (a
/// RESOURCE_EXHAUSTED status in the headers, as grpc-dotnet writes it) instead of an exception that grpc-dotnet catches and
/// rethrows, so a refused call costs the server a third of what it did, less than a served call (bench/README.md,
/// "Refusals"). The slot is handed to the interceptor as a <see cref="GateTicket"/>, which gives it back when the handler
/// is done, as it does with slots it takes itself; authentication, the rate limit and the deadline check follow there. A queued call is dropped when its
/// caller resets the stream (gRPC clients do at their deadline); one whose deadline passed while it waited is refused by
/// the deadline check before it runs. Health checks, streams and the HTTP edge's JSON and gRPC-Web calls are gated, or
/// not, in the interceptor as before.
/// </summary>
internal sealed class CallGateMiddleware(CallAdmission admission, RpcMetrics metrics)
{
    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (!admission.GateEnabled || GatedMethod(http) is not { } method)
        {
            return next(http);
        }

        var start = Stopwatch.GetTimestamp();
        var sheddable = string.Equals(http.Request.Headers[Criticality.Header], Criticality.Sheddable, StringComparison.OrdinalIgnoreCase);
        var entering = admission.EnterGateAsync(method.FullName, sheddable, http.RequestAborted);
        return entering.IsCompletedSuccessfully
            ? RunOrRefuse(http, next, method, start, entering.Result)
            : AwaitSlotAsync(http, next, method, start, entering);
    }

    /// <summary>A unary method of a gRPC service on this port, health excepted, called with the gRPC content type.</summary>
    private static IMethod? GatedMethod(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method is { Type: MethodType.Unary } method
        && !RequestPaths.IsHealth(method.FullName)
        && IsGrpc(http.Request.ContentType)
            ? method
            : null;

    private static bool IsGrpc(string? contentType) =>
        contentType is not null
        && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
        && !contentType.StartsWith("application/grpc-web", StringComparison.OrdinalIgnoreCase);

    private async Task AwaitSlotAsync(HttpContext http, RequestDelegate next, IMethod method, long start, ValueTask<(GateSlot, Refusal?)> entering)
    {
        (GateSlot, Refusal?) entered;
        try
        {
            entered = await entering.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            admission.DroppedFromQueue(method.FullName, start);
            metrics.RecordServer(method.ServiceName, method.Name, StatusCode.Cancelled, start);
            return;
        }

        await RunOrRefuse(http, next, method, start, entered).ConfigureAwait(false);
    }

    private Task RunOrRefuse(HttpContext http, RequestDelegate next, IMethod method, long start, (GateSlot Slot, Refusal? Refusal) entered)
    {
        if (entered.Refusal is { } refusal)
        {
            var drained = DrainRequestAsync(http.Request);
            if (!drained.IsCompletedSuccessfully)
            {
                return RefuseAfterAsync(drained, http, method, start, refusal);
            }

            Refuse(http, method, start, refusal);
            return Task.CompletedTask;
        }

        var ticket = new GateTicket(entered.Slot);
        http.Features.Set(ticket);
        return RunAsync(http, next, ticket);
    }

    private async Task RefuseAfterAsync(ValueTask drained, HttpContext http, IMethod method, long start, Refusal refusal)
    {
        await drained.ConfigureAwait(false);
        Refuse(http, method, start, refusal);
    }

    private void Refuse(HttpContext http, IMethod method, long start, Refusal refusal)
    {
        refusal.WriteTrailersOnly(http.Response);
        metrics.RecordServer(method.ServiceName, method.Name, refusal.StatusCode, start);
    }

    /// <summary>
    /// Reads the request to its end (a unary call's one message, normally arrived with its headers) before answering:
    /// a response that ends the stream while the request is still open makes Kestrel reset the stream and track it until
    /// the client stops sending, and under thousands of refusals a second it gives up on tracking and closes the whole
    /// connection (seen as UNAVAILABLE on every call in flight).
    /// </summary>
    private static async ValueTask DrainRequestAsync(HttpRequest request)
    {
        var body = request.BodyReader;
        while (true)
        {
            var read = await body.ReadAsync().ConfigureAwait(false);
            body.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted || read.IsCanceled)
            {
                return;
            }
        }
    }

    private static async Task RunAsync(HttpContext http, RequestDelegate next, GateTicket ticket)
    {
        try
        {
            await next(http).ConfigureAwait(false);
        }
        finally
        {
            ticket.Exit();
        }
    }
}
