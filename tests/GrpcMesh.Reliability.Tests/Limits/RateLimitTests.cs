using Grpc.Core;
using Grpc.Health.V1;
using Google.Rpc;
using GrpcMesh.Reliability.Tests.Support;
using GrpcMesh.ServiceDefaults.Limits;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using GrpcMesh.UserService;
using GrpcMesh.UserService.Grpc;
using Microsoft.Extensions.Time.Testing;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.Reliability.Tests.Limits;

public sealed class RateLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TestTokens _tokens = new();

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListUsers_CallerOverBurst_ResourceExhaustedWithPushbackOthersAndHealthStillServed()
    {
        // One permit per 100 s: only the burst of 3 is available during the test.
        using var host = new GrpcTestHost<UserServiceMarker>(HostSettings.For(_tokens, ("Limits:PermitsPerSecond", "0.01"), ("Limits:Burst", "3")));
        var users = new UserServiceClient(host.Channel);
        var alice = TestTokens.Bearer(_tokens.Create("alice", UserServiceScopes.Read));
        var bob = TestTokens.Bearer(_tokens.Create("bob", UserServiceScopes.Read));

        for (var i = 0; i < 3; i++)
        {
            await users.ListUsersAsync(new ListUsersRequest(), alice, cancellationToken: Ct);
        }

        var ex = await RpcAssert.ThrowsAsync(StatusCode.ResourceExhausted, () => users.ListUsersAsync(new ListUsersRequest(), alice, cancellationToken: Ct));

        Assert.Contains("rate limit exceeded for caller 'alice'", ex.Status.Detail, StringComparison.Ordinal);
        Assert.True(long.Parse(ex.Trailers.GetValue("grpc-retry-pushback-ms")!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("RATE_LIMITED", ex.GetRpcStatus()!.GetDetail<ErrorInfo>()!.Reason);
        Assert.NotNull(ex.GetRpcStatus()!.GetDetail<RetryInfo>());
        await users.ListUsersAsync(new ListUsersRequest(), bob, cancellationToken: Ct);
        for (var i = 0; i < 5; i++)
        {
            var health = await new Health.HealthClient(host.Channel).CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        }
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public Task TryAcquire_BurstSpentThenRefilled_PermitsFollowTheRate() => TestTimeouts.RunSync(() =>
    {
        var time = new FakeTimeProvider();
        var limiter = new CallerRateLimiter(new LimitsOptions { PermitsPerSecond = 10, Burst = 2 }, time);

        Assert.True(limiter.TryAcquire("alice", out _));
        Assert.True(limiter.TryAcquire("alice", out _));
        Assert.False(limiter.TryAcquire("alice", out var retryAfter));
        Assert.Equal(100, retryAfter.TotalMilliseconds, 1.0);

        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(limiter.TryAcquire("alice", out _));
        Assert.False(limiter.TryAcquire("alice", out _));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task TryAcquire_ManyDistinctCallers_TableStaysBoundedAndIdleCallersAreForgotten() => TestTimeouts.RunSync(() =>
    {
        var time = new FakeTimeProvider();
        var limiter = new CallerRateLimiter(new LimitsOptions { PermitsPerSecond = 10, Burst = 2, MaxTrackedCallers = 16 }, time);

        for (var i = 0; i < 1000; i++)
        {
            limiter.TryAcquire($"caller-{i}", out _);
        }

        Assert.Equal(16, limiter.TrackedCallers);

        // Idle for a full refill: forgetting them loses nothing, so newcomers get their own buckets again.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire("newcomer", out _));
        Assert.True(limiter.TrackedCallers <= 16);
        Assert.True(limiter.TryAcquire("newcomer", out _));
        Assert.False(limiter.TryAcquire("newcomer", out _));
    }, TestContext.Current.CancellationToken);
}
