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
/// Refuses a sheddable gRPC unary call on the service's own port in front of grpc-dotnet when the concurrency gate
/// would refuse it (<see cref="CallAdmission.RefuseSheddableNow"/>), as a trailers-only response (the RESOURCE_EXHAUSTED
/// status, its details and the pushback in the headers, as grpc-dotnet writes it) instead of the exception grpc-dotnet
/// needs to report a status, caught and rethrown through its layers: such a refusal cost the server more than serving
/// a call (bench/README.md, <c>refusals</c>), and sheddable calls are most of what an overloaded server refuses. Every
/// other call goes on to the interceptor, which takes its slot as before (a sheddable call admitted here may still be
/// refused there if the gate filled meanwhile). Health checks, streams and the HTTP edge's JSON and gRPC-Web calls never
/// come this way.
/// </summary>
internal sealed class SheddableRefusals(CallAdmission admission, RpcMetrics metrics)
{
    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (!Criticality.IsSheddable(http.Request.Headers[Criticality.Header].ToString())
            || GatedMethod(http) is not { } method
            || admission.RefuseSheddableNow(method.FullName) is not { } refusal)
        {
            return next(http);
        }

        var start = Stopwatch.GetTimestamp();
        var drained = DrainRequestAsync(http.Request);
        if (!drained.IsCompletedSuccessfully)
        {
            return RefuseAfterAsync(drained, http, method, start, refusal);
        }

        Refuse(http, method, start, refusal);
        return Task.CompletedTask;
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
    /// the client stops sending, and under thousands of refusals a second it gave up and closed a whole connection (seen
    /// as UNAVAILABLE on every call in flight, bench/results/2026-12-05-overload-trailers-only-2.json).
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
}
