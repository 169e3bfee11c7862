using Grpc.Core;
using GrpcMesh.OrderService.Domain;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.OrderService.Upstream;
using GrpcMesh.ServiceDefaults.Errors;
using GrpcMesh.User.V1;
using Microsoft.Extensions.Options;

namespace GrpcMesh.OrderService.Saga;

/// <summary>
/// CreateOrder as a saga with UserService:
/// <list type="number">
/// <item>replay: an order with this request_id exists → return it (waiting for its saga if still running here),
/// or ALREADY_EXISTS when the payload differs;</item>
/// <item>GetUser: must exist (NOT_FOUND), be ACTIVE and hold credit in the order's currency (FAILED_PRECONDITION);
/// nothing is stored before this passes;</item>
/// <item>store the order PENDING with its saga record (Reserving) and a CREATED event, in one transaction;</item>
/// <item>ReserveCredit(reservation_id = order id): OK → CONFIRMED; refused → REJECTED, caller gets FAILED_PRECONDITION;
/// OrderService's credential rejected (UNAUTHENTICATED/PERMISSION_DENIED) → REJECTED, caller gets INTERNAL saying so;
/// unknown outcome (UNAVAILABLE, DEADLINE_EXCEEDED, cancelled, a local failure) → REJECTED with a durable release
/// (saga Releasing) tried at once and retried by <see cref="SagaSweeper"/>; caller gets UNAVAILABLE / DEADLINE_EXCEEDED.</item>
/// </list>
/// A crash between steps 3 and 4 leaves a Reserving saga, which the sweeper rejects and compensates after
/// <see cref="OrderServiceOptions.PendingSagaTimeout"/>.
/// </summary>
public sealed class CreateOrderSaga(
    IOrderStore store,
    UserCreditGateway users,
    CompensationRunner compensation,
    InFlightSagas inFlight,
    OrderMetrics metrics,
    IOptions<OrderServiceOptions> options,
    TimeProvider time,
    ILogger<CreateOrderSaga> logger)
{
    private static readonly OrderState[] FromPending = [OrderState.Pending];

    public async Task<OrderRecord> ExecuteAsync(NewOrder draft, DateTime incomingDeadline, CancellationToken cancellationToken)
    {
        if (await store.FindByRequestIdAsync(draft.RequestId, cancellationToken) is { } existing)
        {
            return await ReplayAsync(existing, draft, cancellationToken);
        }

        await CheckUserAsync(draft, incomingDeadline, cancellationToken);

        var now = time.GetUtcNow();
        var order = draft.ToPendingOrder(OrderIds.New(now), now);
        inFlight.Begin(order.Id);
        try
        {
            var created = await store.CreateAsync(order, cancellationToken);
            if (!created.Created)
            {
                // A concurrent duplicate stored its order first.
                return await ReplayAsync(created.Order, draft, cancellationToken);
            }

            SagaLog.OrderCreated(logger, order.Id, order.UserId, order.Total.ToString());
            return await ReserveAsync(order, incomingDeadline, cancellationToken);
        }
        finally
        {
            inFlight.End(order.Id);
        }
    }

    private async Task<OrderRecord> ReplayAsync(OrderRecord existing, NewOrder draft, CancellationToken cancellationToken)
    {
        if (!draft.IsSameRequestAs(existing))
        {
            throw RpcErrors.AlreadyExists("order", existing.Id,
                $"request_id '{draft.RequestId}' was already used for order {existing.Id} with a different user_id or items; " +
                "use a new request_id for a new order");
        }

        if (!existing.IsFinal)
        {
            // No entry means the saga ended after our read (so re-reading sees its final state) or is not running here.
            if (inFlight.Completion(existing.Id) is { } completion)
            {
                try
                {
                    await completion.WaitAsync(options.Value.DuplicateRequestWait, time, cancellationToken);
                }
                catch (TimeoutException)
                {
                    // Return the order as it is now; the client can poll GetOrder.
                }
            }

            existing = await store.GetAsync(existing.Id, cancellationToken) ?? existing;
        }

        SagaLog.RequestReplayed(logger, draft.RequestId, existing.Id, existing.State.ToString());
        return existing;
    }

    private async Task CheckUserAsync(NewOrder draft, DateTime incomingDeadline, CancellationToken cancellationToken)
    {
        var result = await users.GetUserAsync(draft.UserId, incomingDeadline, cancellationToken);
        if (result.Failure is { } failure)
        {
            throw failure.Code switch
            {
                StatusCode.NotFound => RpcErrors.NotFound("user", draft.UserId),
                StatusCode.InvalidArgument => RpcErrors.InvalidArgument("user_id", failure.Detail),
                _ => UpstreamErrors.ForCaller(failure, "GetUser", "no order was created"),
            };
        }

        var user = result.Value!;
        var subject = $"users/{draft.UserId}";
        if (user.Status != UserStatus.Active)
        {
            throw RpcErrors.FailedPrecondition("USER_NOT_ACTIVE", subject,
                $"user '{draft.UserId}' is {user.Status}; only active users can place orders");
        }

        if (user.CreditLimit is { CurrencyCode.Length: > 0 } limit && limit.CurrencyCode != draft.Total.Currency)
        {
            throw RpcErrors.FailedPrecondition("CURRENCY_MISMATCH", subject,
                $"user '{draft.UserId}' has credit in {limit.CurrencyCode} but the order is priced in {draft.Total.Currency}");
        }
    }

    private async Task<OrderRecord> ReserveAsync(OrderRecord order, DateTime incomingDeadline, CancellationToken cancellationToken)
    {
        UpstreamFailure failure;
        try
        {
            var result = await users.ReserveCreditAsync(order.UserId, order.ReservationId, order.Total, incomingDeadline, cancellationToken);
            if (result.Failure is null)
            {
                return await ConfirmAsync(order);
            }

            failure = result.Failure;
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            // A local failure (e.g. the database) after the reservation may have been made: compensate, then let the
            // exception-mapping interceptor answer INTERNAL.
            await RejectAndCompensateAsync(order, "the order could not be completed because of an internal error",
                ex.GetType().Name + ": " + ex.Message, incomingDeadline, cancellationToken);
            throw;
        }

        if (failure.IsRefusal)
        {
            var reason = $"credit reservation refused: {failure.Detail}";
            await store.TransitionAsync(
                new OrderTransition(order.Id, FromPending, OrderState.Rejected, reason, SagaStep.NotReserved, time.GetUtcNow()),
                CancellationToken.None);
            SagaLog.OrderRejected(logger, order.Id, reason);
            metrics.Rejected();
            throw RpcErrors.FailedPrecondition(failure.PreconditionType ?? "CREDIT_RESERVATION_REFUSED", $"users/{order.UserId}",
                $"order {order.Id} was rejected: {failure.Detail}");
        }

        if (failure.IsCredentialRejected)
        {
            // Refused before UserService ran the handler: nothing was reserved, so nothing to compensate.
            var reason = $"OrderService's service credential was rejected by UserService ({failure.Code})";
            await store.TransitionAsync(
                new OrderTransition(order.Id, FromPending, OrderState.Rejected, reason, SagaStep.NotReserved, time.GetUtcNow()),
                CancellationToken.None);
            SagaLog.OrderRejected(logger, order.Id, reason);
            metrics.Rejected();
            throw UpstreamErrors.ForCaller(failure, "ReserveCredit", $"order {order.Id} was rejected and no credit was reserved");
        }

        await RejectAndCompensateAsync(order,
            $"credit reservation failed ({failure.Code}); any reserved credit is being released",
            failure.ToString(), incomingDeadline, cancellationToken);
        throw UpstreamErrors.ForCaller(failure, "ReserveCredit",
            $"order {order.Id} was rejected and any credit reserved for it will be released");
    }

    private async Task<OrderRecord> ConfirmAsync(OrderRecord order)
    {
        // Once credit is reserved the outcome must be recorded even if the caller has gone away.
        var result = await store.TransitionAsync(
            new OrderTransition(order.Id, FromPending, OrderState.Confirmed, "", SagaStep.Reserved, time.GetUtcNow()),
            CancellationToken.None);
        if (result.Applied)
        {
            SagaLog.OrderConfirmed(logger, order.Id);
            metrics.Confirmed();
            return result.Order!;
        }

        // The sweeper took this saga for interrupted (it outlived PendingSagaTimeout) and is releasing the credit.
        throw RpcErrors.Aborted("ORDER_SAGA_TIMED_OUT",
            $"order {order.Id} took too long to confirm and was rejected; its credit is being released");
    }

    private async Task RejectAndCompensateAsync(
        OrderRecord order, string reason, string cause, DateTime incomingDeadline, CancellationToken cancellationToken)
    {
        SagaRecord saga;
        try
        {
            var now = time.GetUtcNow();
            var result = await store.TransitionAsync(
                new OrderTransition(order.Id, FromPending, OrderState.Rejected, reason, SagaStep.Releasing, now,
                    NextAttemptAt: now + options.Value.CompensationRetryDelay, LastError: cause),
                CancellationToken.None);
            if (!result.Applied)
            {
                return;
            }

            SagaLog.OrderRejected(logger, order.Id, reason);
            SagaLog.CompensationScheduled(logger, order.Id, order.ReservationId, cause);
            metrics.CompensationPending();
            saga = new SagaRecord(order.Id, order.ReservationId, SagaStep.Releasing, 0, now, cause, order.CreateTime, now);
        }
        catch (Exception ex)
        {
            // The saga stays Reserving; the sweeper's interrupted-saga recovery compensates it later.
            SagaLog.RejectFailed(logger, ex, order.Id);
            return;
        }

        await compensation.TryReleaseAsync(saga, incomingDeadline, cancellationToken);
    }
}
