using System.Diagnostics;
using System.Text.Json;

namespace GrpcMesh.Interop.Tests.Support;

/// <summary>
/// Runs the interop scripts (tests/interop/python) with a python3 that has Debian's grpcio and grpc_tools.
/// Set GRPCMESH_PYTHON to choose the interpreter. Missing modules fail the test with the install command.
/// </summary>
internal static class Python
{
    private const string Install = "apt-get install -y python3-grpcio python3-grpc-tools grpc-proto";

    private static readonly Lazy<string?> Interpreter = new(FindInterpreter);

    /// <summary>Runs <paramref name="script"/> and returns its stdout JSON lines; fails on a non-zero exit.</summary>
    public static async Task<IReadOnlyList<JsonElement>> RunAsync(string script, TimeSpan timeout, params string[] arguments)
    {
        var python = Interpreter.Value;
        Assert.True(python is not null,
            $"No python3 with the grpc and grpc_tools modules found (tried $GRPCMESH_PYTHON, /usr/bin/python3, python3). Install: {Install}");
        Assert.True(Directory.Exists("/usr/share/grpc-proto"), $"/usr/share/grpc-proto is missing. Install: {Install}");

        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repo.PythonScripts,
        };
        start.ArgumentList.Add(Path.Combine(Repo.PythonScripts, script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        start.Environment["PYTHONUNBUFFERED"] = "1";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{script} did not finish within {timeout}; stderr:\n{await stderr}");
        }

        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"{script} exited {process.ExitCode}; stderr:\n{await stderr}\nstdout:\n{output}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToList();
    }

    private static string? FindInterpreter()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("GRPCMESH_PYTHON"), "/usr/bin/python3", "python3" };
        return candidates.Where(c => !string.IsNullOrWhiteSpace(c)).FirstOrDefault(HasGrpcModules);
    }

    private static bool HasGrpcModules(string? python)
    {
        try
        {
            var start = new ProcessStartInfo(python!, ["-c", "import grpc, grpc_tools"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start)!;
            process.WaitForExit(30_000);
            return process.HasExited && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
