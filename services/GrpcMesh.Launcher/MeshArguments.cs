namespace GrpcMesh.Launcher;

/// <summary>The launcher's command line when it runs the mesh (the <c>token</c> command has its own).</summary>
internal sealed record MeshArguments(bool Build, bool Verbose, Uri? UserUrl, Uri? OrderUrl, Uri? UserHttpUrl, Uri? OrderHttpUrl)
{
    public const string Usage =
        "usage: [--no-build] [--verbose] [--user-url http://127.0.0.1:5001] [--order-url http://127.0.0.1:5002] " +
        "[--user-http-url http://127.0.0.1:5011] [--order-http-url http://127.0.0.1:5012] | token [--scope S]... [--lifetime 1h] " +
        "| stat [--once] [--interval 5s] [NAME=URL]...";

    /// <summary>The options, or null with <paramref name="error"/> naming what is wrong.</summary>
    public static MeshArguments? Parse(IReadOnlyList<string> args, out string error)
    {
        var parsed = new MeshArguments(Build: true, Verbose: false, UserUrl: null, OrderUrl: null, UserHttpUrl: null, OrderHttpUrl: null);
        error = "";
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--no-build":
                    parsed = parsed with { Build = false };
                    break;
                case "--verbose":
                    parsed = parsed with { Verbose = true };
                    break;
                case "--user-url" when Url(value) is { } url:
                    parsed = parsed with { UserUrl = url };
                    i++;
                    break;
                case "--order-url" when Url(value) is { } url:
                    parsed = parsed with { OrderUrl = url };
                    i++;
                    break;
                case "--user-http-url" when Url(value) is { Scheme: "http" } url:
                    parsed = parsed with { UserHttpUrl = url };
                    i++;
                    break;
                case "--order-http-url" when Url(value) is { Scheme: "http" } url:
                    parsed = parsed with { OrderHttpUrl = url };
                    i++;
                    break;
                case "--user-http-url" or "--order-http-url":
                    error = $"{args[i]} needs an absolute http:// URL (the HTTP edge is plaintext here), got '{value}'";
                    return null;
                case "--user-url" or "--order-url":
                    error = $"{args[i]} needs an absolute http:// or https:// URL, got '{value}'";
                    return null;
                default:
                    error = $"unknown argument '{args[i]}'";
                    return null;
            }
        }

        return parsed;
    }

    private static Uri? Url(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url : null;
}
