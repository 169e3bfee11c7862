using System.Globalization;

namespace GrpcMesh.Launcher;

/// <summary>
/// <c>token [--scope S]... [--lifetime 1h]</c>: prints only a development token (every scope and 12 h unless told), for a
/// service run alone in Development: <c>export GRPCMESH_TOKEN=$(dotnet run --project services/GrpcMesh.Launcher -- token)</c>.
/// </summary>
internal static class TokenCommand
{
    public const string Usage = "usage: token [--scope users.read|users.write|orders.read|orders.write]... [--lifetime 30m|1h|2d|hh:mm:ss]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var scopes = new List<string>();
        TimeSpan? lifetime = null;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--scope" when value is not null && DevToken.AllScopes.Contains(value):
                    scopes.Add(value);
                    i++;
                    break;
                case "--scope":
                    error.WriteLine($"unknown scope '{value}'; scopes are {string.Join(", ", DevToken.AllScopes)}");
                    return 2;
                case "--lifetime" when ParseLifetime(value) is { } parsed:
                    lifetime = parsed;
                    i++;
                    break;
                default:
                    error.WriteLine($"unexpected '{args[i]} {value}'. {Usage}");
                    return 2;
            }
        }

        output.WriteLine(DevToken.Create(DateTimeOffset.UtcNow, scopes.Count > 0 ? scopes.Distinct() : null, lifetime));
        return 0;
    }

    private static TimeSpan? ParseLifetime(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span) && value.Contains(':', StringComparison.Ordinal))
        {
            return span > TimeSpan.Zero ? span : null;
        }

        var unit = value[^1] switch
        {
            's' => TimeSpan.FromSeconds(1),
            'm' => TimeSpan.FromMinutes(1),
            'h' => TimeSpan.FromHours(1),
            'd' => TimeSpan.FromDays(1),
            _ => (TimeSpan?)null,
        };
        return unit is not null && double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var count) && count > 0
            ? unit.Value * count
            : null;
    }
}
