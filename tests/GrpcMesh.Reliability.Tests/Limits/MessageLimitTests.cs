using Grpc.Core;
using GrpcMesh.Reliability.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using GrpcMesh.UserService;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.Reliability.Tests.Limits;

public sealed class MessageLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_MessageOverMaxReceiveSize_ResourceExhaustedAndServerKeepsServing()
    {
        using var host = new GrpcTestHost<UserServiceMarker>(HostSettings.For(null, ("Limits:MaxReceiveMessageSize", "65536")));
        host.StartOnLoopback();
        var users = new UserServiceClient(host.Channel);
        var oversized = Users.NewUser();
        oversized.DisplayName = new string('x', 100_000);

        var ex = await RpcAssert.ThrowsAsync(StatusCode.ResourceExhausted, () => users.CreateUserAsync(oversized, cancellationToken: Ct));

        Assert.Equal("Received message exceeds the maximum configured message size (65536 bytes); send a smaller request, " +
            "or raise Limits:MaxReceiveMessageSize on the server", ex.Status.Detail);
        var created = (await users.CreateUserAsync(Users.NewUser(), cancellationToken: Ct)).User;
        Assert.Single((await users.ListUsersAsync(new ListUsersRequest(), cancellationToken: Ct)).Users, u => u.Id == created.Id);
        Faults.Figures.Report("bad input / request over MaxReceiveMessageSize",
            $"100 KB CreateUser against a 64 KB limit → {ex.StatusCode} (\"{ex.Status.Detail}\"); server kept serving");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_HugeDisplayNameWithinMessageLimit_InvalidArgumentNamingTheField()
    {
        using var host = new GrpcTestHost<UserServiceMarker>(HostSettings.For(null));
        var users = new UserServiceClient(host.Channel);
        var request = Users.NewUser();
        request.DisplayName = new string('x', 1_000_000);

        var badRequest = await RpcAssert.InvalidArgumentAsync(() => users.CreateUserAsync(request, cancellationToken: Ct), "display_name");

        Assert.Empty((await users.ListUsersAsync(new ListUsersRequest(), cancellationToken: Ct)).Users);
        Faults.Figures.Report("bad input / huge string",
            $"1,000,000-char display_name → INVALID_ARGUMENT, BadRequest display_name: \"{badRequest.FieldViolations[0].Description}\"; nothing stored");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListUsers_ResponseOverMaxSendSize_ResourceExhaustedAndServerKeepsServing()
    {
        using var host = new GrpcTestHost<UserServiceMarker>(HostSettings.For(null, ("Limits:MaxSendMessageSize", "4096")));
        host.StartOnLoopback();
        var users = new UserServiceClient(host.Channel);
        for (var i = 0; i < 40; i++)
        {
            var request = Users.NewUser();
            request.DisplayName = new string('n', 100);
            await users.CreateUserAsync(request, cancellationToken: Ct);
        }

        // 40 users of ~200 bytes each: a page of all of them is about 8 KB, twice the limit.
        var ex = await RpcAssert.ThrowsAsync(StatusCode.ResourceExhausted, () => users.ListUsersAsync(new ListUsersRequest { PageSize = 100 }, cancellationToken: Ct));

        Assert.Equal("Sending message exceeds the maximum configured message size (4096 bytes); ask for less (e.g. a smaller " +
            "page_size), or raise Limits:MaxSendMessageSize on the server", ex.Status.Detail);
        var small = await users.ListUsersAsync(new ListUsersRequest { PageSize = 5 }, cancellationToken: Ct);
        Assert.Equal(5, small.Users.Count);
        Assert.NotEmpty(small.NextPageToken);
        Faults.Figures.Report("send-size limit",
            $"ListUsers page of 40 users over Limits:MaxSendMessageSize 4096 → {ex.StatusCode} (\"{ex.Status.Detail}\"); a 5-user page right after: OK");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Kestrel_MaxConcurrentStreamsConfigured_AppliedToHttp2Limits() => TestTimeouts.RunSync(() =>
    {
        using var host = new GrpcTestHost<UserServiceMarker>(HostSettings.For(null, ("Limits:MaxConcurrentStreams", "7")));

        var kestrel = host.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;

        Assert.Equal(7, kestrel.Limits.Http2.MaxStreamsPerConnection);
    }, TestContext.Current.CancellationToken);
}
