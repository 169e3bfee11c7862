using System.Collections.Concurrent;
using Grpc.Core;
using GrpcMesh.Clients;
using GrpcMesh.ServiceDefaults.Limits;
using GrpcMesh.ServiceDefaults.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ServerCallGate = GrpcMesh.ServiceDefaults.Limits.CallGate;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.ServiceDefaults.Tests.Limits;

/// <summary>The shipped adaptive limit on a real Kestrel server whose calls share a resource of <see cref="ResourceSlots"/> slots.</summary>
public sealed class AdaptiveConcurrencyTests
{
    private const int ResourceSlots = 4;
    private static readonly TimeSpan HoldTime = TimeSpan.FromMilliseconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_ManyMoreCallersThanTheResourceServes_LimitFallsAndExcessRefusedWithPushback()
    {
        await using var host = await TestServiceHost.StartAsync(
            app => app.MapGrpcService<BoundedResourceUserService>(),
            configure: builder => builder.Services.AddSingleton(new BoundedResource(ResourceSlots, HoldTime)));
        var gate = host.Services.GetRequiredService<ServerCallGate>();
        var users = new UserServiceClient(host.Channel);
        var statuses = new ConcurrentDictionary<StatusCode, int>();
        var refusals = new ConcurrentBag<RpcException>();

        // As many callers as the resource has slots: nothing waits, so what the server learns is the uncongested time
        // (400 calls ≈ 2 s, twenty windows: past the ten that set the starting point); at least 3/4 of the hold time, as
        // the delay's timer may fire a little early.
        await RunCallersAsync(users, ResourceSlots, () => gate.LearnedServiceTime >= HoldTime * 0.75 && statuses.GetValueOrDefault(StatusCode.OK) >= 400, statuses, refusals,
            () => $"learned {gate.LearnedServiceTime}, limit {gate.Limit}, statuses {string.Join(", ", statuses)}");
        Assert.Equal(LimitsOptions.InitialAdaptiveLimit, gate.Limit);

        // 16x the callers: calls queue for the resource, run slower than 1.5x the learned time, and the limit shrinks;
        // the callers beyond it stand in the server's queue, where those waiting longer than a call takes are refused.
        await RunCallersAsync(users, ResourceSlots * 16, () => gate.Limit <= 32 && !refusals.IsEmpty, statuses, refusals,
            () => $"learned {gate.LearnedServiceTime}, limit {gate.Limit}, running {gate.Running}, queued {gate.Queued}, statuses {string.Join(", ", statuses)}");

        Assert.Equal([StatusCode.OK, StatusCode.ResourceExhausted], statuses.Keys.Order());
        Assert.All(refusals, refusal =>
        {
            Assert.Contains("server overloaded", refusal.Status.Detail, StringComparison.Ordinal);
            Assert.Equal("100", refusal.Trailers.GetValue(GrpcMeshMetadata.RetryPushback));
        });
    }

    /// <summary>Closed-loop callers until <paramref name="until"/> holds (checked as <see cref="Eventually"/> does, 30 s at most).</summary>
    private static async Task RunCallersAsync(
        UserServiceClient users, int callers, Func<bool> until,
        ConcurrentDictionary<StatusCode, int> statuses, ConcurrentBag<RpcException> refusals, Func<string> state)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var loops = Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await users.GetUserAsync(new GetUserRequest { UserId = "u" }, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: Ct);
                    statuses.AddOrUpdate(StatusCode.OK, 1, (_, n) => n + 1);
                }
                catch (RpcException ex)
                {
                    statuses.AddOrUpdate(ex.StatusCode, 1, (_, n) => n + 1);
                    if (ex.StatusCode == StatusCode.ResourceExhausted)
                    {
                        refusals.Add(ex);
                    }
                }
            }
        }, Ct)).ToList();

        try
        {
            await Eventually.WaitAsync(until, $"the adaptive limit's condition with {callers} callers");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException($"{ex.Message} ({state()})", ex);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(loops);
        }
    }
}
