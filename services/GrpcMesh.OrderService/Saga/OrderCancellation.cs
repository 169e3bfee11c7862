using GrpcMesh.OrderService.Domain;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.ServiceDefaults.Errors;
using Microsoft.Extensions.Options;

namespace GrpcMesh.OrderService.Saga;

/// <summary>
/// CancelOrder: CONFIRMED → CANCELLED with a durable release of the credit (saga Releasing) in the same transaction,
/// then one ReleaseCredit attempt; if UserService is unavailable the order is still CANCELLED and the sweeper releases
/// the credit later. CANCELLED → returned as is. REJECTED and PENDING → FAILED_PRECONDITION.
/// </summary>
public sealed class OrderCancellation(
    IOrderStore store,
    CompensationRunner compensation,
    OrderMetrics metrics,
    IOptions<OrderServiceOptions> options,
    TimeProvider time,
    ILogger<OrderCancellation> logger)
{
    public const string DefaultReason = "cancelled by the client";
    private static readonly OrderState[] FromConfirmed = [OrderState.Confirmed];

    public async Task<OrderRecord> CancelAsync(string orderId, string reason, DateTime incomingDeadline, CancellationToken cancellationToken)
    {
        var order = await store.GetAsync(orderId, cancellationToken) ?? throw RpcErrors.NotFound("order", orderId);
        if (AlreadyCancelled(order))
        {
            return order;
        }

        var now = time.GetUtcNow();
        var statusReason = string.IsNullOrWhiteSpace(reason) ? DefaultReason : reason;
        var result = await store.TransitionAsync(
            new OrderTransition(orderId, FromConfirmed, OrderState.Cancelled, statusReason, SagaStep.Releasing, now,
                NextAttemptAt: now + options.Value.CompensationRetryDelay, LastError: null),
            cancellationToken);
        if (!result.Applied)
        {
            // Changed since we read it (a concurrent cancel): decide again on the current state.
            var current = result.Order ?? throw RpcErrors.NotFound("order", orderId);
            return AlreadyCancelled(current)
                ? current
                : throw RpcErrors.Aborted("CONCURRENT_CHANGE", $"order {orderId} changed while it was being cancelled; retry");
        }

        var cancelled = result.Order!;
        SagaLog.OrderCancelled(logger, orderId, statusReason);
        SagaLog.CompensationScheduled(logger, orderId, cancelled.ReservationId, "order cancelled");
        metrics.CompensationPending();
        await compensation.TryReleaseAsync(
            new SagaRecord(orderId, cancelled.ReservationId, SagaStep.Releasing, 0, null, null, cancelled.CreateTime, now),
            incomingDeadline, cancellationToken);
        return cancelled;
    }

    /// <summary>True for CANCELLED, false for CONFIRMED; throws FAILED_PRECONDITION for orders that cannot be cancelled.</summary>
    private static bool AlreadyCancelled(OrderRecord order) => order.State switch
    {
        OrderState.Cancelled => true,
        OrderState.Confirmed => false,
        OrderState.Rejected => throw RpcErrors.FailedPrecondition("ORDER_REJECTED", $"orders/{order.Id}",
            $"order {order.Id} was rejected and cannot be cancelled"),
        _ => throw RpcErrors.FailedPrecondition("ORDER_PENDING", $"orders/{order.Id}",
            $"order {order.Id} is still waiting for its credit reservation; cancel it once it is confirmed"),
    };
}
