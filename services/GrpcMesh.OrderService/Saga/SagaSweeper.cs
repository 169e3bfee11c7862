using GrpcMesh.OrderService.Domain;
using GrpcMesh.OrderService.Storage;
using Microsoft.Extensions.Options;

namespace GrpcMesh.OrderService.Saga;

/// <summary>
/// Background recovery, every <see cref="OrderServiceOptions.SweepInterval"/> (on the injected TimeProvider) and once at start:
/// <list type="number">
/// <item>sagas still Reserving after <see cref="OrderServiceOptions.PendingSagaTimeout"/> were interrupted (crash, restart):
/// their PENDING order becomes REJECTED and a release is scheduled;</item>
/// <item>due releases are retried, so no credit reservation stays orphaned while UserService is down.</item>
/// </list>
/// Safe with several replicas on one database: recovery is a compare-and-set transition (one replica applies it) and due
/// releases are claimed with a lease (<see cref="IOrderStore.ClaimDueCompensationsAsync"/>), so two sweepers do not
/// release the same reservation at once.
/// Sweeps never overlap; <see cref="RunOnceAsync"/> lets tests and operators drive one deterministically.
/// </summary>
public sealed class SagaSweeper(
    IServiceScopeFactory scopes,
    IOptions<OrderServiceOptions> options,
    OrderMetrics metrics,
    TimeProvider time,
    ILogger<SagaSweeper> logger) : BackgroundService
{
    private const string InterruptedReason =
        "order processing was interrupted before the credit reservation finished; any reserved credit is being released";
    private static readonly OrderState[] FromPending = [OrderState.Pending];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TaskCompletionSource _firstSweep = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the sweep run at start has finished (successfully or not).</summary>
    public Task FirstSweep => _firstSweep.Task;

    public async Task<SweepResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<IOrderStore>();
            var compensation = scope.ServiceProvider.GetRequiredService<CompensationRunner>();
            var o = options.Value;
            var now = time.GetUtcNow();

            var recovered = 0;
            foreach (var saga in await store.FindStalledSagasAsync(now - o.PendingSagaTimeout, o.SweepBatchSize, cancellationToken))
            {
                var result = await store.TransitionAsync(
                    new OrderTransition(saga.OrderId, FromPending, OrderState.Rejected, InterruptedReason, SagaStep.Releasing, now,
                        NextAttemptAt: now, LastError: "saga interrupted"),
                    cancellationToken);
                if (result.Applied)
                {
                    recovered++;
                    metrics.CompensationPending();
                    SagaLog.SagaRecovered(logger, saga.OrderId, saga.StartedAt);
                }
            }

            int released = 0, pending = 0;
            // Claimed with a lease longer than one release attempt, so another replica's sweeper leaves them alone meanwhile.
            var leaseUntil = now + (o.UserServiceTimeout * 2);
            foreach (var saga in await store.ClaimDueCompensationsAsync(now, leaseUntil, o.SweepBatchSize, cancellationToken))
            {
                if (await compensation.TryReleaseAsync(saga, DateTime.MaxValue, cancellationToken))
                {
                    released++;
                }
                else
                {
                    pending++;
                }
            }

            return new SweepResult(recovered, released, pending);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // do not hold up host start
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        try
        {
            do
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    SagaLog.SweepFailed(logger, ex);
                }
                finally
                {
                    _firstSweep.TrySetResult();
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }
}

/// <summary>What one sweep did: interrupted sagas rejected, reservations released, releases still pending.</summary>
public readonly record struct SweepResult(int Recovered, int Released, int StillPending);
