using System.Net;
using Grpc.Core;
using GrpcMesh.Clients;
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

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_FullSlotsAndQueue_QueuedCallDroppedAtDeadlineExtraCallRefusedRunningCallFinishes()
    {
        var gate = new CallGateSwitch();
        await using var host = await DefaultsHost.StartAsync<GatedUserService>(
            new Dictionary<string, string?> { ["Limits:MaxConcurrentCalls"] = "1", ["Limits:MaxQueuedCalls"] = "1" },
            services => services.AddSingleton(gate));
        var users = new UserServiceClient(host.Channel);
        var calls = host.Services.GetRequiredService<CallGate>();

        var running = users.GetUserAsync(new GetUserRequest { UserId = "running" }, cancellationToken: Ct).ResponseAsync;
        RpcException refused, dropped;
        try
        {
            await gate.FirstEntered.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            // The queued call's deadline must outlast the next two steps (milliseconds on a quiet machine); 5 s is the margin
            // for a loaded one. Had it passed, the queue would be empty again and the "refused" call would be queued instead,
            // so that call has a deadline of its own: the test then fails on its status instead of waiting forever.
            var queued = users.GetUserAsync(new GetUserRequest { UserId = "queued" }, deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: Ct).ResponseAsync;
            await Eventually.WaitAsync(() => calls.Queued == 1, "one call queued");

            refused = await RpcAssert.ThrowsAsync(StatusCode.ResourceExhausted,
                () => users.GetUserAsync(new GetUserRequest { UserId = "refused" }, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: Ct));
            // The server answers DEADLINE_EXCEEDED; the in-memory client may see its own deadline, or the server's stream
            // reset at the deadline, first. What matters is that the queued call failed and never ran (asserted below).
            dropped = await Assert.ThrowsAsync<RpcException>(async () => await queued);
            await Eventually.WaitAsync(() => calls.Queued == 0, "the queue empty");
        }
        finally
        {
            // Whatever failed above, the held call must end, or the host's dispose waits for it.
            gate.Release.TrySetResult();
        }

        var finished = await running;

        Assert.True(dropped.StatusCode is StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Cancelled, $"unexpected {dropped.Status}");

        Assert.Contains("server overloaded", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("running", finished.User.Id);
        Assert.Equal(["running"], gate.Ran);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_SheddableSlotsInUse_SheddableRefusedWithPushbackCriticalStillAdmitted()
    {
        var gate = new CallGateSwitch();
        // Two slots, half kept for critical calls: one running call uses up what sheddable calls may take.
        await using var host = await DefaultsHost.StartAsync<GatedUserService>(
            new Dictionary<string, string?> { ["Limits:MaxConcurrentCalls"] = "2", ["Limits:CriticalReserve"] = "0.5" },
            services => services.AddSingleton(gate));
        var users = new UserServiceClient(host.Channel);

        var running = users.GetUserAsync(new GetUserRequest { UserId = "running" }, cancellationToken: Ct).ResponseAsync;
        Task<GetUserResponse> critical;
        RpcException refused;
        try
        {
            await gate.FirstEntered.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            refused = await RpcAssert.ThrowsAsync(StatusCode.ResourceExhausted,
                () => users.GetUserAsync(new GetUserRequest { UserId = "sheddable" }, Criticality.SheddableHeaders(), cancellationToken: Ct));
            critical = users.GetUserAsync(new GetUserRequest { UserId = "critical" }, cancellationToken: Ct).ResponseAsync;
            await Eventually.WaitAsync(() => gate.Ran.Contains("critical"), "the critical call running in the reserved slot");
        }
        finally
        {
            gate.Release.TrySetResult();
        }

        await Task.WhenAll(running, critical);

        Assert.Contains("sheddable", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("250", refused.Trailers.GetValue(GrpcMeshMetadata.RetryPushback));
        Assert.Equal(["running", "critical"], gate.Ran);
    }

    [Fact(Timeout = TestTimeouts.Default)]
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
