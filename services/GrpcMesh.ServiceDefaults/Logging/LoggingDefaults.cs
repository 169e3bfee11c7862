using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.ServiceDefaults.Logging;

internal static class LoggingDefaults
{
    /// <summary>
    /// Categories that log once per call at Information, kept at Warning unless configuration names them: Npgsql logs
    /// every command (more than one line per call on PostgreSQL); grpc-dotnet's server logs every call that ends with a
    /// status other than OK ("Error status code ... raised"), so an overloaded server wrote a line per refusal and its
    /// console logger's full queue blocked request threads until goodput collapsed (bench "overload": 0.002× peak,
    /// 0.88× with these lines off). Those calls are counted by status in rpc.server.call.duration, and failures that
    /// are bugs are logged by the exception mapping.
    /// </summary>
    private static readonly string[] PerCallCategories = ["Npgsql", "Grpc.AspNetCore.Server"];

    /// <summary>
    /// Structured JSON console logs, one object per line, with trace and span ids from the current activity; the
    /// <see cref="PerCallCategories"/> at Warning unless configuration says otherwise
    /// (<c>Logging:LogLevel:Npgsql=Information</c> shows every command).
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
        // configured level for these categories beats this default (AddFilter would append it and beat configuration instead).
        builder.Services.PostConfigure<LoggerFilterOptions>(o =>
        {
            foreach (var category in PerCallCategories)
            {
                o.Rules.Insert(0, new LoggerFilterRule(providerName: null, category, LogLevel.Warning, filter: null));
            }
        });
        return builder;
    }
}
