using Grpc.Core;
using Grpc.Health.V1;
using HealthClient = Grpc.Health.V1.Health.HealthClient;
using GrpcMesh.ServiceDefaults.Health;
using GrpcMesh.ServiceDefaults.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Grpc.Health.V1.HealthCheckResponse.Types;

namespace GrpcMesh.ServiceDefaults.Tests;

public sealed class DrainTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Shutdown_DuringDrain_CheckAndWatchNotServingWhileCallsStillSucceed()
    {
        var clock = new FakeTimeProvider();
        await using var host = await Hosts.StartUsersAsync(
            new Dictionary<string, string?> { ["Shutdown:DrainDelay"] = "00:00:05", ["Shutdown:Timeout"] = "00:00:30" },
            builder => builder.Services.AddSingleton<TimeProvider>(clock));
        var health = new HealthClient(host.Channel);
        var users = new UserService.UserServiceClient(host.Channel);
        using var watch = health.Watch(new HealthCheckRequest { Service = "grpcmesh.user.v1.UserService" }, cancellationToken: Ct);
        Assert.True(await watch.ResponseStream.MoveNext(Ct));
        Assert.Equal(ServingStatus.Serving, watch.ResponseStream.Current.Status);
        var gate = host.Services.GetRequiredService<CallGate>();
        var inFlight = users.GetUserAsync(new GetUserRequest { UserId = "slow" }, cancellationToken: Ct).ResponseAsync;
        await gate.Entered.WaitAsync(Patience, Ct);

        // What SIGTERM does: ApplicationStopping fires, then the host stops (StoppingAsync, then StopAsync).
        var stopping = host.App.WaitForShutdownAsync(CancellationToken.None);
        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        await Eventually.WaitAsync(async () => (await health.CheckAsync(new() { Service = "" }, cancellationToken: Ct)).Status == ServingStatus.NotServing, "readiness NOT_SERVING", Patience);
        Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(new() { Service = "grpcmesh.user.v1.UserService" }, cancellationToken: Ct)).Status);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new() { Service = HealthNames.LivenessService }, cancellationToken: Ct)).Status);
        Assert.Equal(ServingStatus.NotServing, await NextStatusOtherThanServingAsync(watch.ResponseStream));
        while (await watch.ResponseStream.MoveNext(Ct))
        {
            Assert.Equal(ServingStatus.NotServing, watch.ResponseStream.Current.Status);
        }

        // The loop ending means Watch completed: grpc-dotnet ends Watch calls on ApplicationStopping.

        // Still serving during the drain delay: a new call on a new connection succeeds.
        using (var fresh = host.CreateChannel())
        {
            var response = await new UserService.UserServiceClient(fresh).GetUserAsync(new GetUserRequest { UserId = "u-during-drain" }, cancellationToken: Ct);
            Assert.Equal("u-during-drain", response.User.Id);
        }

        Assert.False(stopping.IsCompleted, "the host must wait out the drain delay before stopping");

        // Drain delay over: listeners close (new connections fail) while the in-flight call is still running.
        await Eventually.WaitAsync(async () =>
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            using var fresh = host.CreateChannel();
            try
            {
                await new UserService.UserServiceClient(fresh).GetUserAsync(new GetUserRequest { UserId = "late" }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct);
                return false;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable)
            {
                return true;
            }
        }, "the listeners closed", Patience);
        Assert.False(inFlight.IsCompleted);
        Assert.False(stopping.IsCompleted, "the host must wait for the in-flight call");

        gate.Open();

        Assert.Equal("slow", (await inFlight.WaitAsync(Patience, Ct)).User.Id);
        await stopping.WaitAsync(Patience, Ct);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task StopAsync_WatchOpen_ReceivesNotServingWhileStillDraining()
    {
        var clock = new FakeTimeProvider();
        await using var host = await Hosts.StartUsersAsync(
            new Dictionary<string, string?> { ["Shutdown:DrainDelay"] = "00:00:05" },
            builder => builder.Services.AddSingleton<TimeProvider>(clock));
        using var watch = new HealthClient(host.Channel).Watch(new HealthCheckRequest { Service = "" }, cancellationToken: Ct);
        Assert.True(await watch.ResponseStream.MoveNext(Ct));
        Assert.Equal(ServingStatus.Serving, watch.ResponseStream.Current.Status);

        // StopAsync called directly (not via SIGTERM) runs the drain before ApplicationStopping ends Watch calls;
        // the drain pushes NOT_SERVING to open Watch streams itself.
        var stopping = host.App.StopAsync(CancellationToken.None);

        Assert.Equal(ServingStatus.NotServing, await NextStatusOtherThanServingAsync(watch.ResponseStream));
        Assert.False(stopping.IsCompleted);
        await Eventually.WaitAsync(() =>
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            return Task.FromResult(stopping.IsCompleted);
        }, "the host stopped", Patience);
    }

    /// <summary>Watch may repeat SERVING (the periodic health publisher re-sends it); returns the first other status.</summary>
    private static async Task<ServingStatus> NextStatusOtherThanServingAsync(IAsyncStreamReader<HealthCheckResponse> stream)
    {
        while (await stream.MoveNext(Ct))
        {
            if (stream.Current.Status != ServingStatus.Serving)
            {
                return stream.Current.Status;
            }
        }

        throw new Xunit.Sdk.XunitException("Watch ended without reporting a status other than SERVING");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task StopAsync_ZeroDrainDelay_FlipsHealthWithoutWaiting()
    {
        // The frozen clock would hold any drain delay until the host's shutdown timeout (Patience fails first).
        await using var host = await Hosts.StartUsersAsync(
            new Dictionary<string, string?> { ["Shutdown:DrainDelay"] = "00:00:00", ["Shutdown:Timeout"] = "00:05:00" },
            builder => builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider()),
            inMemoryServer: true);
        var drain = host.Services.GetRequiredService<DrainState>();
        Assert.False(drain.IsDraining);

        await host.App.StopAsync(Ct).WaitAsync(Patience, Ct);

        Assert.True(drain.IsDraining);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ShutdownOptions_Configured_HostShutdownTimeoutIsDrainPlusTimeout()
    {
        await using var host = await Hosts.StartUsersAsync(
            new Dictionary<string, string?> { ["Shutdown:DrainDelay"] = "00:00:02", ["Shutdown:Timeout"] = "00:00:10" },
            inMemoryServer: true);

        var hostOptions = host.Services.GetRequiredService<IOptions<HostOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(12), hostOptions.ShutdownTimeout);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public Task ShutdownOptions_Defaults_MatchDocumentedValues() => TestTimeouts.RunSync(() =>
    {
        var options = new ShutdownOptions();

        Assert.Equal(TimeSpan.FromSeconds(5), options.DrainDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Timeout);
    }, TestContext.Current.CancellationToken);
}
