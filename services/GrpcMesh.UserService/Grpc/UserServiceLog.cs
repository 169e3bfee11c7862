
namespace GrpcMesh.UserService.Grpc;

internal static partial class UserServiceLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "User {UserId} created")]
    public static partial void UserCreated(ILogger logger, string userId);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "CreateUser replay for request {RequestId} returned user {UserId}")]
    public static partial void UserCreateReplayed(ILogger logger, string userId, string? requestId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "User {UserId} updated to etag {ETag} (fields: {Fields})")]
    public static partial void UserUpdated(ILogger logger, string userId, string eTag, string fields);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "User {UserId} deleted")]
    public static partial void UserDeleted(ILogger logger, string userId);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information,
        Message = "Reservation {ReservationId} holds {Amount} of user {UserId}; {Available} available")]
    public static partial void CreditReserved(ILogger logger, string reservationId, string userId, string amount, string available);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information,
        Message = "Reservation {ReservationId} of {Amount} for user {UserId} refused ({Reason}): {Description}")]
    public static partial void CreditRefused(ILogger logger, string reservationId, string userId, string amount, string reason, string description);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information,
        Message = "Reservation {ReservationId} of user {UserId} released; {Available} available")]
    public static partial void CreditReleased(ILogger logger, string reservationId, string userId, string available);
}
