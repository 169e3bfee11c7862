using System.Diagnostics;

namespace GrpcMesh.LoadTest.Hosting;

/// <summary>
/// Debian's /usr/bin/python3 with python3-grpcio and python3-grpc-tools, on purpose: a python3 earlier on PATH (pyenv,
/// venv) may not have grpcio.
/// </summary>
internal static class DebianPython
{
    public const string Interpreter = "/usr/bin/python3";

    /// <summary>Why the interpreter cannot run the grpcio scripts here, or null when it can.</summary>
    public static async Task<string?> UnavailableReasonAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Interpreter))
        {
            return $"{Interpreter} not found (apt-get install python3-grpcio python3-grpc-tools)";
        }

        var (exitCode, _, errors) = await RunAsync(["-c", "import grpc, grpc_tools.protoc"], Environment.CurrentDirectory, TimeSpan.FromSeconds(30), cancellationToken);
        return exitCode == 0
            ? null
            : $"{Interpreter} cannot import grpc/grpc_tools (apt-get install python3-grpcio python3-grpc-tools): {errors.Trim()}";
    }

    /// <summary>Runs the interpreter to its end (killed after <paramref name="timeout"/>): its exit code, output and errors.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(
        IEnumerable<string> args, string workingDirectory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(Interpreter, args)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Interpreter}");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var errors = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return (process.ExitCode, await output, await errors);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Interpreter} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds:0} s");
        }
    }
}
