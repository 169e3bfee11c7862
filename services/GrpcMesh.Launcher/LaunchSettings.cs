using System.Text.Json;

namespace GrpcMesh.Launcher;

/// <summary>
/// A service's local addresses have one source: the <c>applicationUrl</c> (gRPC) and the <c>Http__Port</c> /
/// <c>Http__Address</c> environment variables (HTTP edge) of its project's Properties/launchSettings.json, which
/// <c>dotnet run --project services/&lt;Service&gt;</c> uses too.
/// </summary>
internal static class LaunchSettings
{
    public static Uri ApplicationUrl(string projectDirectory)
    {
        var profile = Profile(projectDirectory);
        // "http://127.0.0.1:5001;https://…": the first URL is the one the launcher serves and waits on.
        return new Uri(profile.GetProperty("applicationUrl").GetString()!
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0]);
    }

    /// <summary>The HTTP edge (JSON API, gRPC-Web) the profile opens with <c>Http__Port</c> / <c>Http__Address</c>; null if none.</summary>
    public static Uri? HttpUrl(string projectDirectory)
    {
        var profile = Profile(projectDirectory);
        if (!profile.TryGetProperty("environmentVariables", out var environment)
            || !environment.TryGetProperty("Http__Port", out var port) || port.GetString() is not { Length: > 0 } portText)
        {
            return null;
        }

        var address = environment.TryGetProperty("Http__Address", out var configured) ? configured.GetString() : null;
        return new Uri($"http://{address ?? "127.0.0.1"}:{portText}");
    }

    private static JsonElement Profile(string projectDirectory)
    {
        var path = Path.Combine(projectDirectory, "Properties", "launchSettings.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        foreach (var profile in document.RootElement.GetProperty("profiles").EnumerateObject())
        {
            if (profile.Value.TryGetProperty("applicationUrl", out var urls) && urls.GetString() is { Length: > 0 })
            {
                return profile.Value.Clone();
            }
        }

        throw new InvalidOperationException($"{path} has no profile with an applicationUrl");
    }
}
