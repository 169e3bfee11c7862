using GrpcMesh.Domain;

namespace GrpcMesh.UserService.Domain;

public sealed record CreditReservation(
    string ReservationId,
    string UserId,
    Money Amount,
    ReservationState State,
    DateTimeOffset CreateTime,
    DateTimeOffset UpdateTime)
{
    /// <summary>Whether a ReserveCredit with this reservation id is a replay of the request that created it.</summary>
    public bool IsSameRequest(CreditReservationRequest request) =>
        UserId == request.UserId && Amount == request.Amount;

    /// <summary>
    /// What a ReserveCredit with an already stored reservation id gets: this reservation, unchanged, if it is a replay
    /// (even if the user has changed since); else <see cref="ResourceConflictException"/>.
    /// </summary>
    public CreditReservation ReplayFor(CreditReservationRequest request) =>
        IsSameRequest(request) ? this : throw UserConflicts.ReservationIdReused(this);

    /// <summary>Releasing a released reservation changes nothing.</summary>
    public CreditReservation Release(DateTimeOffset now) =>
        State == ReservationState.Released ? this : this with { State = ReservationState.Released, UpdateTime = now };
}
