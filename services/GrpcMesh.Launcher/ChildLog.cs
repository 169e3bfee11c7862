using System.Text.Json;

namespace GrpcMesh.Launcher;

/// <summary>
/// What the launcher shows of a service's output: its JSON log lines at Warning and above, compacted to
/// "[Service] warn Category: message" (every line, raw, with <c>--verbose</c>); anything that is not a JSON log line as is.
/// Information lines stay hidden so the banner is not buried; a service run alone still logs everything.
/// </summary>
internal static class ChildLog
{
    public static string? Format(string serviceName, string line, bool verbose)
    {
        if (verbose || !line.StartsWith('{'))
        {
            return $"[{serviceName}] {line}";
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var level = root.TryGetProperty("LogLevel", out var l) ? l.GetString() : null;
            var tag = level switch
            {
                "Warning" => "warn",
                "Error" => "fail",
                "Critical" => "crit",
                _ => null,
            };
            if (tag is null)
            {
                return null;
            }

            var category = root.TryGetProperty("Category", out var c) ? c.GetString() : "";
            var message = root.TryGetProperty("Message", out var m) ? m.GetString() : line;
            var exception = root.TryGetProperty("Exception", out var e) ? e.GetString()?.Split('\n')[0] : null;
            return exception is null
                ? $"[{serviceName}] {tag} {category}: {message}"
                : $"[{serviceName}] {tag} {category}: {message} ({exception.Trim()})";
        }
        catch (JsonException)
        {
            return $"[{serviceName}] {line}";
        }
    }
}
