using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Limits;

/// <summary>
/// grpc-dotnet refuses a message over <c>MaxReceiveMessageSize</c>/<c>MaxSendMessageSize</c> with RESOURCE_EXHAUSTED
/// "… exceeds the maximum configured message size." — naming neither the limit nor the setting. Both refusals happen
/// outside any interceptor (the request is read before the interceptors run, the response written after them), so this
/// middleware rewrites the status message on its way out: in the headers of a trailers-only response, else in the
/// trailers (grpc-dotnet leaves both to be sent when the pipeline returns). Other calls cost one header lookup.
/// </summary>
internal sealed class MessageSizeRefusals(IOptions<LimitsOptions> options) : IStartupFilter
{
    private const string ResourceExhausted = "8";
    private const string Received = "Received message exceeds the maximum configured message size.";
    private const string Sending = "Sending message exceeds the maximum configured message size.";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var limits = options.Value;
        var received = $"Received message exceeds the maximum configured message size ({limits.MaxReceiveMessageSize} bytes); " +
            "send a smaller request, or raise Limits:MaxReceiveMessageSize on the server";
        var sending = $"Sending message exceeds the maximum configured message size ({limits.MaxSendMessageSize} bytes); " +
            "ask for less (e.g. a smaller page_size), or raise Limits:MaxSendMessageSize on the server";
        app.Use(nextMiddleware => context =>
        {
            var call = nextMiddleware(context);
            if (call.IsCompletedSuccessfully)
            {
                Rewrite(context, received, sending);
                return Task.CompletedTask;
            }

            return RewriteAfterAsync(call, context, received, sending);
        });
        next(app);
    };

    private static async Task RewriteAfterAsync(Task call, HttpContext context, string received, string sending)
    {
        await call.ConfigureAwait(false);
        Rewrite(context, received, sending);
    }

    private static void Rewrite(HttpContext context, string received, string sending)
    {
        var status = context.Response.HasStarted ? context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers : context.Response.Headers;
        if (status is null || !status.TryGetValue("grpc-status", out var code) || code != ResourceExhausted)
        {
            return;
        }

        var message = status["grpc-message"];
        if (message == Received)
        {
            status["grpc-message"] = received;
        }
        else if (message == Sending)
        {
            status["grpc-message"] = sending;
        }
    }
}
