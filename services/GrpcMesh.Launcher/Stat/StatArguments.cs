using System.Globalization;

namespace GrpcMesh.Launcher.Stat;

/// <summary>The <c>stat</c> command line: <c>[--once] [--interval 5s] [NAME=URL]...</c>.</summary>
internal sealed record StatArguments(bool Once, TimeSpan Interval, IReadOnlyList<(string Name, Uri Url)> Targets)
{
    public const string Usage = "usage: stat [--once] [--interval 5s] [NAME=http://host:port/metrics]...";

    /// <summary>The mesh's metrics endpoints (the launcher serves them there): UserService 9101, OrderService 9102.</summary>
    public static readonly IReadOnlyList<(string Name, Uri Url)> MeshTargets =
    [
        ("UserService", new Uri($"http://127.0.0.1:{MeshMetrics.UserServicePort}/metrics")),
        ("OrderService", new Uri($"http://127.0.0.1:{MeshMetrics.OrderServicePort}/metrics")),
    ];

    /// <summary>The options, or null with <paramref name="error"/> naming what is wrong.</summary>
    public static StatArguments? Parse(IReadOnlyList<string> args, out string error)
    {
        var once = false;
        var interval = TimeSpan.FromSeconds(5);
        var targets = new List<(string, Uri)>();
        error = "";
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--once":
                    once = true;
                    break;
                case "--interval" when Seconds(value) is { } seconds:
                    interval = seconds;
                    i++;
                    break;
                case "--interval":
                    error = $"--interval needs a duration between 1s and 1h such as 5s or 2.5, got '{value}'";
                    return null;
                case var target when Target(target) is { } parsed:
                    targets.Add(parsed);
                    break;
                default:
                    error = $"unexpected '{args[i]}': name a target as NAME=http://host:port/metrics";
                    return null;
            }
        }

        return new StatArguments(once, interval, targets.Count > 0 ? targets : MeshTargets);
    }

    private static TimeSpan? Seconds(string? value)
    {
        var number = value?.EndsWith('s') == true ? value[..^1] : value;
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= 3600
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }

    private static (string, Uri)? Target(string argument)
    {
        var equals = argument.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 && Uri.TryCreate(argument[(equals + 1)..], UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? (argument[..equals], url)
            : null;
    }
}
