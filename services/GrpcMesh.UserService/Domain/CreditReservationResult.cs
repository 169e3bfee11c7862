using GrpcMesh.Domain;

namespace GrpcMesh.UserService.Domain;

/// <summary>A reservation and the user's available credit right after the operation.</summary>
public sealed record CreditReservationResult(CreditReservation Reservation, Money AvailableCredit);
