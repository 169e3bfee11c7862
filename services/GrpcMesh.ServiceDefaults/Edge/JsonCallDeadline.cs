using System.Text.Json;
using GrpcMesh.Clients;
using GrpcMesh.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;

namespace GrpcMesh.ServiceDefaults.Edge;

/// <summary>
/// JSON transcoding ignores <c>grpc-timeout</c> (its call context has no deadline), so the edge honours the header for
/// JSON calls itself: <see cref="CallDeadline"/> carries it to admission and the status mapping, and the call's
/// cancellation token fires when it passes. A value that is not a gRPC timeout is refused with 400.
/// </summary>
internal static class JsonCallDeadline
{
    public static async Task ApplyAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is null
            || !context.Request.Headers.TryGetValue(GrpcTimeoutHeader.Name, out var values))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (!GrpcTimeoutHeader.TryParse(values.ToString(), out var timeout))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new
            {
                code = 3,
                message = $"grpc-timeout '{values}' is not a gRPC timeout: 1 to 8 digits and a unit (H, M, S, m, u, n), e.g. 500m for 500 ms",
                details = Array.Empty<object>(),
            }), context.RequestAborted).ConfigureAwait(false);
            return;
        }

        CallDeadline.Set(context, DateTime.UtcNow + timeout);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(timeout);
        var aborted = context.RequestAborted;
        context.RequestAborted = deadline.Token;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.RequestAborted = aborted;
        }
    }
}
