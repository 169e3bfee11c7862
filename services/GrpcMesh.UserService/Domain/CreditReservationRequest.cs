using GrpcMesh.Domain;

namespace GrpcMesh.UserService.Domain;

/// <summary>A validated ReserveCredit request (amount positive).</summary>
public sealed record CreditReservationRequest(string UserId, string ReservationId, Money Amount)
{
    public CreditReservation ToReservation(DateTimeOffset now) =>
        new(ReservationId, UserId, Amount, ReservationState.Reserved, now, now);
}
