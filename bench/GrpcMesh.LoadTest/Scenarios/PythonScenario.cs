using System.Diagnostics;

namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>
/// Debian's python3-grpcio serving the same proto (bench/python/user_server.py; stubs generated at start-up).
/// Uses /usr/bin/python3 on purpose: a python3 earlier on PATH (pyenv, venv) may not have grpcio.
/// </summary>
internal sealed class PythonScenario()
    : Scenario("python", "Python grpcio GetUser from an in-memory dict (Debian python3-grpcio)")
{
    public const string Interpreter = "/usr/bin/python3";
    public const string Script = "bench/python/user_server.py";

    public override async Task<string?> UnavailableReasonAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Interpreter))
        {
            return $"{Interpreter} not found (apt-get install python3-grpcio python3-grpc-tools)";
        }

        var info = new ProcessStartInfo(Interpreter, ["-c", "import grpc, grpc_tools.protoc"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var errors = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0
            ? null
            : $"{Interpreter} cannot import grpc/grpc_tools (apt-get install python3-grpcio python3-grpc-tools): {errors.Trim()}";
    }

    public override async Task<RunningScenario> StartAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var script = context.Repo.PathOf(Script);
        var (server, address) = await context.StartServerAsync("python", port =>
            new ProcessStartInfo(Interpreter, [script, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--mode", context.Options.PythonMode])
            {
                WorkingDirectory = context.Repo.Root,
            }, cancellationToken);
        try
        {
            var ids = await UserCalls.SeedAsync(address, context.Options.Users, context.Auth.Headers, cancellationToken);
            await UserCalls.VerifyAsync(address, ids[0], context.Auth.Headers, cancellationToken);
            var banner = server.RecentOutput.Split('\n').FirstOrDefault(l => l.StartsWith("listening", StringComparison.Ordinal));
            return new RunningScenario(address, UserCalls.GetUser(ids, context.Auth.Headers), [server], banner?.Trim());
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }
}
