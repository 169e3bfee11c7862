
namespace GrpcMesh.UserService.Tests.Validation;

/// <summary>Raw bytes that are not a valid request message must be INVALID_ARGUMENT, never UNKNOWN.</summary>
public sealed class MalformedRequestTests() : UserServiceTest(new SqliteStorage())
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(b => b, b => b);

    private static readonly Method<byte[], byte[]> GetUserRaw =
        new(MethodType.Unary, "grpcmesh.user.v1.UserService", "GetUser", Raw, Raw);

    public static TheoryData<string, byte[]> Payloads => new()
    {
        { "truncated varint", [0xff, 0xff, 0xff, 0xff] },
        { "length past the end", [0x0a, 0x05, (byte)'a', (byte)'b'] },
        { "invalid utf-8 string", [0x0a, 0x02, 0xc3, 0x28] },
    };

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(Payloads))]
    public async Task GetUser_MalformedProtobuf_InvalidArgument(string what, byte[] payload)
    {
        var ex = await RpcAssert.ThrowsAsync(StatusCode.InvalidArgument,
            async () => await Host.Channel.CreateCallInvoker().AsyncUnaryCall(GetUserRaw, null, new CallOptions(cancellationToken: Ct), payload));

        Assert.True(ex.Status.Detail.StartsWith("request message is not valid protobuf", StringComparison.Ordinal),
            $"{what}: unexpected message '{ex.Status.Detail}'");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_AfterMalformedRequest_ServerKeepsServing()
    {
        await Assert.ThrowsAsync<RpcException>(async () =>
            await Host.Channel.CreateCallInvoker().AsyncUnaryCall(GetUserRaw, null, new CallOptions(cancellationToken: Ct), [0xff]));

        var user = await CreateUserAsync();
        Assert.Equal(user.Id, (await GetUserAsync(user.Id)).Id);
    }
}
