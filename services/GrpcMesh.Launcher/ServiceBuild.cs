using System.Diagnostics;

namespace GrpcMesh.Launcher;

/// <summary>
/// Builds the services before starting them, with progress on the console. <c>dotnet run</c> shows nothing while it builds
/// the project it runs, so the launcher project references only what it needs itself (ServiceDefaults, for the token)
/// and builds the services here (mesh.slnf: one MSBuild run, projects in parallel), where a first build (a minute or
/// more) can say what it is doing.
/// </summary>
internal static class ServiceBuild
{
    public static async Task<bool> RunAsync(IReadOnlyList<MeshService> services, CancellationToken cancellationToken)
    {
        var names = string.Join(" and ", services.Select(s => s.Name));
        Console.WriteLine($"GrpcMesh launcher: building {names} ({MeshService.Configuration}; the first build of a fresh clone takes longest)…");
        var clock = Stopwatch.StartNew();
        var filter = MeshService.Metadata("GrpcMesh.MeshFilter");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "build", filter, "-c", MeshService.Configuration, "-nologo", "-v:m", "-tl:off", "-clp:NoSummary" })
        {
            info.ArgumentList.Add(argument);
        }

        using var build = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet build");
        var reported = new HashSet<string>(StringComparer.Ordinal);
        build.OutputDataReceived += (_, e) => Progress(e.Data, clock, reported);
        build.ErrorDataReceived += (_, e) => Progress(e.Data, clock, reported);
        build.BeginOutputReadLine();
        build.BeginErrorReadLine();
        try
        {
            await build.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            build.Kill(entireProcessTree: true);
            return false;
        }

        if (build.ExitCode != 0)
        {
            Console.Error.WriteLine($"the build failed (exit {build.ExitCode}); fix the errors above, or run: dotnet build {filter}");
            return false;
        }

        Console.WriteLine($"  built in {clock.Elapsed.TotalSeconds:0.0} s");
        return true;
    }

    /// <summary>"  Project -> path.dll" becomes "  Project ready (+12.3 s)"; errors and warnings are shown as MSBuild wrote them.</summary>
    private static void Progress(string? line, Stopwatch clock, HashSet<string> reported)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        var arrow = line.IndexOf(" -> ", StringComparison.Ordinal);
        if (arrow > 0)
        {
            var project = line[..arrow].Trim();
            lock (reported)
            {
                if (reported.Add(project))
                {
                    Console.WriteLine($"  {project} ready (+{clock.Elapsed.TotalSeconds:0.0} s)");
                }
            }
        }
        else if (line.Contains(": error ", StringComparison.Ordinal) || line.Contains(": warning ", StringComparison.Ordinal))
        {
            Console.Error.WriteLine(line.Trim());
        }
    }
}
