using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Postgres;

namespace GrpcMesh.Deploy.Tests.Harness;

/// <summary>
/// Builds an image's application the way <c>docker build</c> would, without Docker: a fresh build context holding only
/// what the Dockerfile's build stage COPYs (minus its .dockerignore), then the stage's RUN commands in it, with the
/// path the runtime stage copies from (<c>/app</c>) mapped to a folder of the test run. One build per image per run.
/// </summary>
internal static class ImageBuilder
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Builds = new();
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);
    private static readonly string BuildsFolder = Path.Combine(Path.GetTempPath(), $"grpcmesh-images-{Environment.ProcessId}");

    /// <summary>The folder holding the image's published application (the runtime stage's <c>/app</c>).</summary>
    public static Task<string> PublishAsync(DockerImage image) =>
        Builds.GetOrAdd(image.Name, _ => new Lazy<Task<string>>(() => BuildAsync(image))).Value;

    private static async Task<string> BuildAsync(DockerImage image)
    {
        // Two SDK builds at once on a 2-core machine only slow each other down.
        await OneAtATime.WaitAsync().ConfigureAwait(false);
        try
        {
            var root = Directory.CreateDirectory(Path.Combine(BuildsFolder, image.Name)).FullName;
            var context = Path.Combine(root, "context");
            var published = Path.Combine(root, "app");
            var ignore = Dockerignore.Load(image.DockerignorePath);
            foreach (var (sources, destination) in image.ContextCopies)
            {
                foreach (var source in sources)
                {
                    CopyIntoContext(source, Path.Combine(context, destination), ignore);
                }
            }

            foreach (var command in image.BuildCommands)
            {
                var mapped = command.Replace(" " + image.PublishedPath, " " + published, StringComparison.Ordinal);
                // At normal priority: at the lowest one a publish makes no progress while other work keeps every core busy.
                await new ProcessRunner(runAsUser: null).RunCheckedAsync("sh", ["-c", $"cd '{context}' && {mapped}"], BuildTimeout, BuildEnvironment())
                    .ConfigureAwait(false);
            }

            return published;
        }
        finally
        {
            OneAtATime.Release();
        }
    }

    /// <summary>Removes every build of this run (the assembly fixture <see cref="BuiltImages"/> calls it at the end).</summary>
    public static void DeleteAll()
    {
        if (Directory.Exists(BuildsFolder))
        {
            Directory.Delete(BuildsFolder, recursive: true);
        }
    }

    /// <summary>
    /// A `docker build` RUN starts clean: none of the MSBuild variables `dotnet test` sets for its children, and no build
    /// servers left behind (the container ends with the step; here they would outlive it holding the output pipes).
    /// </summary>
    private static Dictionary<string, string?> BuildEnvironment()
    {
        var environment = System.Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_HOST_PATH", StringComparison.Ordinal)
                || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(k => k, _ => (string?)null);
        environment["MSBUILDDISABLENODEREUSE"] = "1";
        environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        environment["UseSharedCompilation"] = "false";
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        return environment;
    }

    /// <summary>Docker's COPY: a file goes into the destination folder, a folder's contents go into it.</summary>
    private static void CopyIntoContext(string source, string destination, Dockerignore ignore)
    {
        var from = RepoPaths.PathOf(source.TrimEnd('/'));
        if (File.Exists(from))
        {
            Directory.CreateDirectory(destination);
            File.Copy(from, Path.Combine(destination, Path.GetFileName(from)));
            return;
        }

        Assert.True(Directory.Exists(from), $"COPY source {source} does not exist");
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relativeToRepo = Path.GetRelativePath(RepoPaths.Root, file).Replace('\\', '/');
            if (!ignore.Excludes(relativeToRepo))
            {
                var target = Path.Combine(destination, Path.GetRelativePath(from, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }
    }

    /// <summary>The .dockerignore patterns (<c>**</c>, <c>*</c>, <c>?</c>; a pattern that names a folder excludes what is in it).</summary>
    private sealed class Dockerignore(IReadOnlyList<Regex> patterns)
    {
        public static Dockerignore Load(string path) => new(File.ReadAllLines(path)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.StartsWith('!') ? throw new NotSupportedException($"{path}: the harness does not read '!' patterns ({l})") : l)
            .Select(l => new Regex("^" + Regex.Escape(l.TrimEnd('/').TrimStart('/'))
                .Replace(@"\*\*/", "(?:.*/)?", StringComparison.Ordinal)
                .Replace(@"\*\*", ".*", StringComparison.Ordinal)
                .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
                .Replace(@"\?", "[^/]", StringComparison.Ordinal) + "(?:/.*)?$"))
            .ToList());

        public bool Excludes(string relativePath) => patterns.Any(p => p.IsMatch(relativePath));
    }
}
