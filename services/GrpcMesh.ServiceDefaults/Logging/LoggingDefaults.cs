using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.ServiceDefaults.Logging;

internal static class LoggingDefaults
{
    /// <summary>Structured JSON console logs, one object per line, with trace and span ids from the current activity.</summary>
    public static WebApplicationBuilder AddStructuredLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        return builder;
    }
}
