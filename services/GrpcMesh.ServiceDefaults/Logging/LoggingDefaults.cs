using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.ServiceDefaults.Logging;

internal static class LoggingDefaults
{
    /// <summary>Npgsql logs every command at Information; more than one line per call on PostgreSQL.</summary>
    private const string NpgsqlCategory = "Npgsql";

    /// <summary>
    /// Structured JSON console logs, one object per line, with trace and span ids from the current activity; Npgsql at
    /// Warning unless configuration says otherwise (<c>Logging:LogLevel:Npgsql=Information</c> shows every command).
    /// </summary>
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

        // First in the list, after configuration has added its rules: of equally specific rules the last one wins, so a
        // configured Npgsql level beats this default (AddFilter would append it and beat configuration instead).
        builder.Services.PostConfigure<LoggerFilterOptions>(o =>
            o.Rules.Insert(0, new LoggerFilterRule(providerName: null, NpgsqlCategory, LogLevel.Warning, filter: null)));
        return builder;
    }
}
