using Grpc.Core;
using GrpcMesh.OrderService.Domain;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.OrderService.Upstream;
using Microsoft.Extensions.Options;

namespace GrpcMesh.OrderService.Saga;

/// <summary>
/// Runs one ReleaseCredit attempt for a saga in <see cref="SagaStep.Releasing"/> and records the outcome durably:
/// released, or the time of the next attempt (exponential backoff). Used inline right after a failure, and by the sweeper.
/// </summary>
public sealed class CompensationRunner(
    IOrderStore store,
    UserCreditGateway users,
    IOptions<OrderServiceOptions> options,
    OrderMetrics metrics,
    TimeProvider time,
    ILogger<CompensationRunner> logger)
{
    /// <returns>True when nothing is held any more (released, or provably never reserved).</returns>
    public async Task<bool> TryReleaseAsync(SagaRecord saga, DateTime incomingDeadline, CancellationToken cancellationToken)
    {
        var result = await users.ReleaseCreditAsync(saga.ReservationId, incomingDeadline, cancellationToken);
        var now = time.GetUtcNow();

        // Bookkeeping uses CancellationToken.None: an outcome must be recorded even if the caller has gone away.
        if (result.Failure is not { } failure)
        {
            await store.CompleteCompensationAsync(saga.OrderId, now, CancellationToken.None);
            SagaLog.CompensationDone(logger, saga.OrderId, saga.ReservationId);
            metrics.Compensated();
            return true;
        }

        if (failure.Code == StatusCode.NotFound)
        {
            // A ReserveCredit whose answer we never saw could still land until the reservation attempt has settled.
            var settledAt = saga.StartedAt + options.Value.PendingSagaTimeout;
            if (now >= settledAt)
            {
                await store.CompleteCompensationAsync(saga.OrderId, now, CancellationToken.None);
                SagaLog.CompensationNothingReserved(logger, saga.OrderId, saga.ReservationId);
                metrics.Compensated();
                return true;
            }

            await store.RescheduleCompensationAsync(saga.OrderId, settledAt, failure.ToString(), now, CancellationToken.None);
            SagaLog.CompensationDeferred(logger, saga.ReservationId, saga.OrderId, settledAt);
            return false;
        }

        var attempt = saga.Attempts + 1;
        var next = now + Backoff(attempt);
        await store.RescheduleCompensationAsync(saga.OrderId, next, failure.ToString(), now, CancellationToken.None);
        SagaLog.CompensationRetry(logger, saga.ReservationId, saga.OrderId, attempt, failure.Code, failure.Detail, next);
        return false;
    }

    private TimeSpan Backoff(int attempt)
    {
        var o = options.Value;
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        return TimeSpan.FromTicks((long)Math.Min(o.CompensationRetryDelay.Ticks * factor, o.CompensationRetryMaxDelay.Ticks));
    }
}
