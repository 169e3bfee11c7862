using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Testing.Processes;

/// <summary>Queries over a <see cref="ServiceProcess"/>'s JSON log lines (ServiceDefaults' console format).</summary>
public static class ServiceProcessLogs
{
    /// <summary>
    /// The lines logged at <paramref name="minimum"/> or above, as written (for failure messages), from line
    /// <paramref name="fromLine"/> on (a count of <see cref="ServiceProcess.OutputLines"/> taken earlier).
    /// </summary>
    public static IReadOnlyList<string> LinesAtOrAbove(this ServiceProcess service, LogLevel minimum, int fromLine = 0) =>
        LinesAtOrAbove(service.OutputLines.Skip(fromLine), minimum);

    /// <summary>
    /// The JSON log lines of <paramref name="output"/> at <paramref name="minimum"/> or above, as written, and every line
    /// that is not JSON: only the runtime writes those (e.g. "Unhandled exception." before a crash), so they count as errors.
    /// </summary>
    public static IReadOnlyList<string> LinesAtOrAbove(IEnumerable<string> output, LogLevel minimum) =>
        output.Where(line => LevelOf(line) is not { } level || level >= minimum).ToList();

    /// <summary>The lines whose category is <paramref name="category"/> or below it (<c>Npgsql</c> matches <c>Npgsql.Command</c>).</summary>
    public static IReadOnlyList<JsonElement> LinesInCategory(this ServiceProcess service, string category) =>
        service.JsonLogLines().Where(line => line.GetProperty("Category").GetString() is { } name
            && (name == category || name.StartsWith(category + ".", StringComparison.Ordinal))).ToList();

    /// <summary>True once ASP.NET Core's request log (<c>Microsoft.AspNetCore.Hosting.Diagnostics=Information</c>) has a finished request to <paramref name="path"/>.</summary>
    public static bool RequestFinished(this ServiceProcess service, string path) =>
        service.JsonLogLines().Any(line => line.GetProperty("Category").GetString() == "Microsoft.AspNetCore.Hosting.Diagnostics"
            && line.GetProperty("EventId").GetInt32() == 2
            && line.GetProperty("Message").GetString()!.Contains(path, StringComparison.Ordinal));

    public static LogLevel Level(JsonElement line) => Enum.Parse<LogLevel>(line.GetProperty("LogLevel").GetString()!);

    private static LogLevel? LevelOf(string line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            return Level(json.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
