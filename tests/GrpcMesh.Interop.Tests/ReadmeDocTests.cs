using System.Text.Json;
using GrpcMesh.Interop.Tests.Support;

namespace GrpcMesh.Interop.Tests;

/// <summary>
/// README.md as a new user follows it: every ```bash block in order, each grpcurl command run as grpcurl would run it
/// (tests/interop/python/readme_doctest.py: descriptors from server reflection, <c>-d</c> through the proto3 JSON mapping,
/// <c>-H</c> headers, <c>list</c>/<c>describe</c>, <c>usr_…</c>/<c>ord_…</c> filled from earlier responses,
/// <c>$GRPCMESH_TOKEN</c> from the launcher's banner) and each curl command of the JSON API as curl would (urllib, against
/// the services' HTTP edge, the status a <c># HTTP NNN</c> comment names or 200) against a mesh started by the README's run
/// command.
/// <para>
/// The run command is executed as the already-built launcher (<see cref="LauncherProcess"/>: <c>GrpcMesh.Launcher.dll
/// --no-build</c>, free ports mapped onto the README's 127.0.0.1:5001/5002, a data directory of its own), not through
/// <c>dotnet run</c>: the solution is built before the tests run, and a nested build would race the tests running the
/// service outputs. A server stream (WatchOrders, Health/Watch) is read until it stays quiet for 2 s and must deliver a
/// message; grpcurl would keep it open until Ctrl+C.
/// </para>
/// </summary>
public sealed class ReadmeDocTests
{
    private const string RunCommand = "dotnet run --project services/GrpcMesh.Launcher";

    [Fact(Timeout = 300_000)]
    public async Task Readme_GrpcurlExamplesInOrder_EverySucceeds()
    {
        var readme = Path.Combine(Repo.Root, "README.md");
        var (launcher, token) = await LauncherProcess.StartAsync(TestContext.Current.CancellationToken);
        await using var _ = launcher;

        var results = await Python.RunAsync("readme_doctest.py", TimeSpan.FromSeconds(180), readme,
            "--env", $"GRPCMESH_TOKEN={token}",
            "--address", $"127.0.0.1:5001={launcher.UserUrl["http://".Length..]}",
            "--address", $"127.0.0.1:5002={launcher.OrderUrl["http://".Length..]}",
            "--address", $"127.0.0.1:5011={launcher.UserHttpUrl["http://".Length..]}",
            "--address", $"127.0.0.1:5012={launcher.OrderHttpUrl["http://".Length..]}");

        var output = TestContext.Current.TestOutputHelper;
        foreach (var result in results)
        {
            output?.WriteLine($"README:{Line(result)} {Field(result, "status")}: {Field(result, "command")} {Field(result, "error")}");
        }

        var commands = results.Select(r => Field(r, "command")).ToList();
        Assert.True(commands.Count > 0 && commands[0].StartsWith(RunCommand, StringComparison.Ordinal),
            $"the README's first command is no longer `{RunCommand}`, which this test stands in for: {commands.FirstOrDefault()}");
        var run = results.Where(r => Field(r, "status") != "skipped").ToList();
        var grpcurl = run.Count(r => Field(r, "command").StartsWith("grpcurl ", StringComparison.Ordinal));
        var curl = run.Count(r => Field(r, "command").StartsWith("curl ", StringComparison.Ordinal));
        Assert.True(grpcurl >= 15, $"only {grpcurl} grpcurl commands found in README.md");
        Assert.True(curl >= 7, $"only {curl} curl commands (JSON API) found in README.md's bash blocks");
        var failed = run.Where(r => Field(r, "status") != "ok").ToList();
        Assert.True(failed.Count == 0, "README examples that fail, in order:\n" + string.Join('\n',
            failed.Select(r => $"  README.md:{Line(r)}: {Field(r, "command")}\n    -> {Field(r, "error")}")));
    }

    private static string Field(JsonElement result, string name) =>
        result.TryGetProperty(name, out var value) ? value.ToString() : "";

    private static int Line(JsonElement result) => result.GetProperty("line").GetInt32();
}
