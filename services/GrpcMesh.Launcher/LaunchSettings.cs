using System.Text.Json;

namespace GrpcMesh.Launcher;

/// <summary>
/// A service's local address has one source: the <c>applicationUrl</c> of its project's Properties/launchSettings.json,
/// which <c>dotnet run --project services/&lt;Service&gt;</c> uses too.
/// </summary>
internal static class LaunchSettings
{
    public static Uri ApplicationUrl(string projectDirectory)
    {
        var path = Path.Combine(projectDirectory, "Properties", "launchSettings.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        foreach (var profile in document.RootElement.GetProperty("profiles").EnumerateObject())
        {
            if (profile.Value.TryGetProperty("applicationUrl", out var urls) && urls.GetString() is { Length: > 0 } value)
            {
                // "http://127.0.0.1:5001;https://…": the first URL is the one the launcher serves and waits on.
                return new Uri(value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0]);
            }
        }

        throw new InvalidOperationException($"{path} has no profile with an applicationUrl");
    }
}
