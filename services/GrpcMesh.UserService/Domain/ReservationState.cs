namespace GrpcMesh.UserService.Domain;

public enum ReservationState
{
    Reserved = 1,
    Released = 2,
}
