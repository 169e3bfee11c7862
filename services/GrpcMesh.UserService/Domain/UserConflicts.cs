namespace GrpcMesh.UserService.Domain;

/// <summary>The refusals for identifiers that are already taken, worded the same whichever store detects them.</summary>
public static class UserConflicts
{
    public static ResourceConflictException EmailTaken(string email) =>
        new("user", email, $"a user with email '{email}' already exists");

    public static ResourceConflictException CreateRequestReused(string requestId) =>
        new("request", requestId, $"request_id '{requestId}' was already used by a CreateUser request with different fields");

    public static ResourceConflictException ReservationIdReused(CreditReservation existing) =>
        new("reservation", existing.ReservationId,
            $"reservation_id '{existing.ReservationId}' was already used for {existing.Amount} on user '{existing.UserId}'");
}
