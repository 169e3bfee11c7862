using System.Net;
using Grpc.Core;
using GrpcMesh.Reliability.Tests.Support;
using GrpcMesh.ServiceDefaults.Limits;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using GrpcMesh.UserService;
using Microsoft.Extensions.DependencyInjection;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.Reliability.Tests.Limits;

public sealed class LoadSheddingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetUser_FullSlotsAndQueue_QueuedCallDroppedAtDeadlineExtraCallRefusedRunningCallFinishes()
    {
        var gate = new CallGateSwitch();
        await using var host = await DefaultsHost.StartAsync<GatedUserService>(
            new Dictionary<string, string?> { ["Limits:MaxConcurrentCalls"] = "1", ["Limits:MaxQueuedCalls"] = "1" },
            services => services.AddSingleton(gate));
        var users = new UserServiceClient(host.Channel);
        var calls = host.Services.GetRequiredService<CallGate>();

        var running = users.GetUserAsync(new GetUserRequest { UserId = "running" }, cancellationToken: Ct).ResponseAsync;
        await gate.FirstEntered.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var queued = users.GetUserAsync(new GetUserRequest { UserId = "queued" }, deadline: DateTime.UtcNow.AddSeconds(1), cancellationToken: Ct).ResponseAsync;
        await Eventually.WaitAsync(() => calls.Queued == 1, "one call queued");

        var refused = await RpcAssert.ThrowsAsync(StatusCode.ResourceExhausted,
            () => users.GetUserAsync(new GetUserRequest { UserId = "refused" }, cancellationToken: Ct));
        // The server answers DEADLINE_EXCEEDED; the in-memory client may see its own deadline, or the server's stream
        // reset at the deadline, first. What matters is that the queued call failed and never ran (asserted below).
        var dropped = await Assert.ThrowsAsync<RpcException>(async () => await queued);
        Assert.True(dropped.StatusCode is StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Cancelled, $"unexpected {dropped.Status}");
        await Eventually.WaitAsync(() => calls.Queued == 0, "the queue empty");
        gate.Release.SetResult();
        var finished = await running;

        Assert.Contains("server overloaded", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("running", finished.User.Id);
        Assert.Equal(["running"], gate.Ran);
    }

    [Fact]
    public async Task Unary_DeadlineBelowMinimumRemaining_DeadlineExceededBeforeAnyWork()
    {
        using var host = new GrpcTestHost<UserServiceMarker>(HostSettings.For(null, ("Limits:MinRemainingDeadline", "00:00:10")));
        var address = host.StartOnLoopback();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "/grpcmesh.user.v1.UserService/CreateUser"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(GrpcFrames.Frame(Users.NewUser())),
        };
        request.Content.Headers.ContentType = new("application/grpc");
        // 5 s left is below the 10 s minimum, and far from grpc-dotnet's own deadline timer even on a loaded machine.
        request.Headers.TryAddWithoutValidation("grpc-timeout", "5S");

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("4", Assert.Single(response.Headers.GetValues("grpc-status")));
        Assert.Contains("below Limits:MinRemainingDeadline", Uri.UnescapeDataString(Assert.Single(response.Headers.GetValues("grpc-message"))), StringComparison.Ordinal);
        Assert.Empty((await new UserServiceClient(host.Channel).ListUsersAsync(new ListUsersRequest(), cancellationToken: Ct)).Users);
    }
}
