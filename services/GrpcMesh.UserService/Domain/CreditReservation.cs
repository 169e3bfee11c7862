namespace GrpcMesh.UserService.Domain;

public sealed record CreditReservation(
    string ReservationId,
    string UserId,
    MoneyAmount Amount,
    ReservationState State,
    DateTimeOffset CreateTime,
    DateTimeOffset UpdateTime)
{
    /// <summary>Whether a ReserveCredit with this reservation id is a replay of the request that created it.</summary>
    public bool IsSameRequest(CreditReservationRequest request) =>
        UserId == request.UserId && Amount == request.Amount;

    /// <summary>Releasing a released reservation changes nothing.</summary>
    public CreditReservation Release(DateTimeOffset now) =>
        State == ReservationState.Released ? this : this with { State = ReservationState.Released, UpdateTime = now };
}
