using Grpc.Core;

namespace GrpcMesh.OrderService.Saga;

/// <summary>Source-generated log messages of the order saga (event ids 2000-2099).</summary>
internal static partial class SagaLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Order {OrderId} created PENDING for user {UserId} ({Total})")]
    public static partial void OrderCreated(ILogger logger, string orderId, string userId, string total);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Order {OrderId} CONFIRMED: credit reserved")]
    public static partial void OrderConfirmed(ILogger logger, string orderId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Order {OrderId} REJECTED: {Reason}")]
    public static partial void OrderRejected(ILogger logger, string orderId, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Order {OrderId} CANCELLED: {Reason}")]
    public static partial void OrderCancelled(ILogger logger, string orderId, string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Compensation scheduled for order {OrderId}: release reservation {ReservationId} ({Cause})")]
    public static partial void CompensationScheduled(ILogger logger, string orderId, string reservationId, string cause);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Compensation done for order {OrderId}: reservation {ReservationId} released")]
    public static partial void CompensationDone(ILogger logger, string orderId, string reservationId);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Compensation done for order {OrderId}: reservation {ReservationId} was never made")]
    public static partial void CompensationNothingReserved(ILogger logger, string orderId, string reservationId);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Release of reservation {ReservationId} (order {OrderId}) failed on attempt {Attempt} with {Code}: {Detail}; retrying at {NextAttemptAt:o}")]
    public static partial void CompensationRetry(ILogger logger, string reservationId, string orderId, int attempt, StatusCode code, string detail, DateTimeOffset nextAttemptAt);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "Reservation {ReservationId} (order {OrderId}) not found yet; a late ReserveCredit could still land, checking again at {NextAttemptAt:o}")]
    public static partial void CompensationDeferred(ILogger logger, string reservationId, string orderId, DateTimeOffset nextAttemptAt);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "Saga of order {OrderId} was interrupted (started {StartedAt:o}); order rejected, credit will be released")]
    public static partial void SagaRecovered(ILogger logger, string orderId, DateTimeOffset startedAt);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "CreateOrder replay of request {RequestId} returns order {OrderId} ({State})")]
    public static partial void RequestReplayed(ILogger logger, string requestId, string orderId, string state);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Error, Message = "Order {OrderId} could not be rejected after a failure; the sweeper compensates it once it is older than the pending-saga timeout")]
    public static partial void RejectFailed(ILogger logger, Exception exception, string orderId);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Error, Message = "Saga sweep failed; retrying at the next interval")]
    public static partial void SweepFailed(ILogger logger, Exception exception);
}
