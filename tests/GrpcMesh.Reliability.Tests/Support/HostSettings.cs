using GrpcMesh.Testing;

namespace GrpcMesh.Reliability.Tests.Support;

internal static class HostSettings
{
    /// <summary>Quiet logs, no drain delay on dispose, auth on with <paramref name="tokens"/>' key (off when null).</summary>
    public static Dictionary<string, string?> For(TestTokens? tokens, params (string Key, string? Value)[] extra)
    {
        var settings = tokens?.HostSettings() ?? [];
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Shutdown:DrainDelay"] = "00:00:00";
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }
}
