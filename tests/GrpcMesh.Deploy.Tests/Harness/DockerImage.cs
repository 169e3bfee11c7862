using GrpcMesh.Deploy.Tests.Manifests;
using GrpcMesh.Testing;

namespace GrpcMesh.Deploy.Tests.Harness;

/// <summary>
/// What a Dockerfile says about its image, read from the file: the build stage's context copies and RUN commands, and
/// the runtime stage's environment, user, working directory and entrypoint on top of the base image's own settings.
/// </summary>
internal sealed record DockerImage(
    string Name,
    string DockerfilePath,
    string BuildWorkdir,
    IReadOnlyList<(IReadOnlyList<string> Sources, string Destination)> ContextCopies,
    IReadOnlyList<string> BuildCommands,
    string PublishedPath,
    IReadOnlyDictionary<string, string> Environment,
    int User,
    string Workdir,
    IReadOnlyList<string> Entrypoint)
{
    /// <summary>
    /// The environment of mcr.microsoft.com/dotnet/aspnet:10.0 (its image config) that matters to an app: the port
    /// Kestrel listens on when nothing else says, the container flag and the non-root user's id and home.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> AspNetBaseImageEnvironment = new Dictionary<string, string>
    {
        ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ["APP_UID"] = "1654",
        ["ASPNETCORE_HTTP_PORTS"] = "8080",
        ["DOTNET_RUNNING_IN_CONTAINER"] = "true",
        ["HOME"] = "/home/app",
    };

    /// <summary>The image <c>deploy/Dockerfile.&lt;name&gt;</c> builds (the convention deploy/README.md documents).</summary>
    public static DockerImage Load(string name)
    {
        var path = RepoPaths.PathOf("deploy", $"Dockerfile.{name}");
        var spec = DockerfileSpec.Load(path);
        Assert.True(spec.Stages.Count == 2, $"{path}: expected a build stage and a runtime stage");
        var (build, runtime) = (spec.Stages[0], spec.Stages[1]);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", spec.All("FROM", runtime).Single(), StringComparison.Ordinal);

        var copies = spec.All("COPY", build).Select(ParseCopy).ToList();
        var published = spec.All("COPY", runtime).Select(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Single(c => c[0].StartsWith("--from=", StringComparison.Ordinal))[1];

        var environment = new Dictionary<string, string>(AspNetBaseImageEnvironment);
        foreach (var env in spec.All("ENV", runtime))
        {
            foreach (var pair in env.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var (key, value) = Split(pair, '=', path);
                environment[key] = Expand(value, environment);
            }
        }

        var user = int.Parse(Expand(spec.All("USER", runtime).Last(), environment), System.Globalization.CultureInfo.InvariantCulture);
        var entrypoint = System.Text.Json.JsonSerializer.Deserialize<string[]>(spec.All("ENTRYPOINT", runtime).Single())!;
        return new DockerImage(
            name, path, spec.All("WORKDIR", build).Last(), copies, spec.All("RUN", build).ToList(), published, environment, user,
            spec.All("WORKDIR", runtime).Last(), entrypoint);
    }

    /// <summary>The .dockerignore BuildKit uses for this Dockerfile (<c>Dockerfile.x.dockerignore</c> beside it).</summary>
    public string DockerignorePath => DockerfilePath + ".dockerignore";

    private static (IReadOnlyList<string>, string) ParseCopy(string arguments)
    {
        var words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(words, w => w.StartsWith("--", StringComparison.Ordinal));
        return (words[..^1], words[^1]);
    }

    private static (string, string) Split(string pair, char separator, string path)
    {
        var at = pair.IndexOf(separator, StringComparison.Ordinal);
        Assert.True(at > 0, $"{path}: '{pair}' is not KEY=value");
        return (pair[..at], pair[(at + 1)..]);
    }

    private static string Expand(string value, IReadOnlyDictionary<string, string> environment) =>
        System.Text.RegularExpressions.Regex.Replace(value, @"\$\{?(\w+)\}?", m => environment.GetValueOrDefault(m.Groups[1].Value, ""));
}
