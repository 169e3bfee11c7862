using System.Diagnostics;
using System.Reflection;

namespace GrpcMesh.LoadTest.Hosting;

/// <summary>
/// Where the repository and the built server dlls are. The servers run from their own build output
/// (<c>bin/{Configuration}/{tfm}</c>, the load test's own configuration), built on demand with <c>dotnet build</c>.
/// </summary>
internal sealed class RepoLayout(string root, string configuration)
{
    public string Root { get; } = root;

    public string Configuration { get; } = configuration;

    public static RepoLayout Locate()
    {
        var assembly = typeof(RepoLayout).Assembly;
        var configuration = Metadata(assembly, "GrpcMesh.Configuration") ?? "Release";
        var candidates = new[] { Metadata(assembly, "GrpcMesh.RepoRoot"), AppContext.BaseDirectory, Environment.CurrentDirectory };
        foreach (var start in candidates.OfType<string>())
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "GrpcMesh.sln")))
                {
                    return new RepoLayout(dir.FullName, configuration);
                }
            }
        }

        throw new InvalidOperationException("cannot find the repository root (a folder with GrpcMesh.sln) above " + AppContext.BaseDirectory);
    }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>The dll of an SDK project whose folder is named like its assembly (e.g. services/GrpcMesh.UserService).</summary>
    public ServerProject Project(string projectDirectory)
    {
        var name = Path.GetFileName(projectDirectory);
        var tfm = $"net{Environment.Version.Major}.{Environment.Version.Minor}";
        var dir = PathOf(projectDirectory);
        return new ServerProject(name, Path.Combine(dir, name + ".csproj"), Path.Combine(dir, "bin", Configuration, tfm, name + ".dll"));
    }

    /// <summary>Builds the project when its dll is missing (or always, with <paramref name="force"/>).</summary>
    public async Task EnsureBuiltAsync(ServerProject project, bool force, TextWriter log, CancellationToken cancellationToken)
    {
        if (!force && File.Exists(project.AssemblyPath))
        {
            return;
        }

        await log.WriteLineAsync($"building {project.Name} ({Configuration}) ...");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        foreach (var arg in new[] { "build", project.ProjectPath, "-c", Configuration, "-nologo", "-v", "quiet" })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet build");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0 || !File.Exists(project.AssemblyPath))
        {
            throw new InvalidOperationException(
                $"dotnet build {project.ProjectPath} failed (exit {process.ExitCode}):\n{await output}{await errors}");
        }
    }

    private static string? Metadata(Assembly assembly, string key) =>
        assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
}

internal sealed record ServerProject(string Name, string ProjectPath, string AssemblyPath);
