using GrpcMesh.Testing;
using GrpcMesh.Testing.Postgres;

namespace GrpcMesh.Contracts.Tests;

/// <summary>
/// tools/contract_gate.py with the real buf CLI, run on a scratch copy of protos/ against the committed protos/: the copy
/// as it is passes; each seeded change fails with a line that names it.
/// </summary>
public sealed class ContractGateTests
{
    private const string UserProto = "grpcmesh/user/v1/user_service.proto";
    private static readonly TimeSpan GateTimeout = TimeSpan.FromMinutes(2); // a gate run takes ~1 s on an idle box

    public static TheoryData<string, string, string, string> SeededChanges => new()
    {
        { "renumbered field", "  string user_id = 1;\n}\n\nmessage GetUserResponse", "  string user_id = 7;\n}\n\nmessage GetUserResponse", "field \"1\" with name \"user_id\" on message \"GetUserRequest\" was deleted" },
        { "removed RPC", "  rpc DeleteUser(DeleteUserRequest) returns (DeleteUserResponse) {\n    option idempotency_level = IDEMPOTENT;\n    option (google.api.http) = {\n      delete: \"/v1/users/{user_id}\"\n    };\n  }\n", "", "RPC \"DeleteUser\" on service \"UserService\" was deleted" },
        { "renamed package", "package grpcmesh.user.v1;", "package grpcmesh.users.v1;", "File package changed from \"grpcmesh.user.v1\" to \"grpcmesh.users.v1\"" },
        { "lost idempotency level", "  rpc GetUser(GetUserRequest) returns (GetUserResponse) {\n    option idempotency_level = NO_SIDE_EFFECTS;\n", "  rpc GetUser(GetUserRequest) returns (GetUserResponse) {\n", "RPC \"GetUser\" on service \"UserService\" changed option \"idempotency_level\" from \"NO_SIDE_EFFECTS\"" },
        { "unkeyed side effect", "  string request_id = 4;", "  string request_key = 4;", "UserService/CreateUser: neither an idempotency_level nor a `string request_id`" },
    };

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Gate_UnchangedCopy_Passes()
    {
        using var scratch = CopyOfProtos();

        var result = await RunGateAsync(scratch.Path);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("contract gate: passed", result.Output, StringComparison.Ordinal);
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(SeededChanges))]
    public async Task Gate_SeededChange_FailsNamingIt(string change, string original, string replacement, string reported)
    {
        using var scratch = CopyOfProtos();
        var file = Path.Combine(scratch.Path, UserProto);
        var text = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);
        Assert.True(text.Contains(original, StringComparison.Ordinal), $"{change}: the seed text is no longer in {UserProto}; update the test");
        await File.WriteAllTextAsync(file, text.Replace(original, replacement, StringComparison.Ordinal), TestContext.Current.CancellationToken);

        var result = await RunGateAsync(scratch.Path);

        Assert.True(result.ExitCode == 1, $"{change}: exit {result.ExitCode}\n{result.Output}");
        Assert.Contains(reported, result.Output, StringComparison.Ordinal);
    }

    private static TempDirectory CopyOfProtos()
    {
        var scratch = new TempDirectory("protos");
        var source = RepoPaths.PathOf("protos");
        foreach (var path in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
                     .Where(p => p.EndsWith(".proto", StringComparison.Ordinal) || Path.GetFileName(p) == "buf.yaml"))
        {
            var target = Path.Combine(scratch.Path, Path.GetRelativePath(source, path));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(path, target);
        }

        return scratch;
    }

    private static Task<ProcessResult> RunGateAsync(string protos) =>
        new ProcessRunner(runAsUser: null).RunAsync(
            "python3", [RepoPaths.PathOf("tools", "contract_gate.py"), "--protos", protos, "--against-dir", RepoPaths.PathOf("protos")], GateTimeout);
}
