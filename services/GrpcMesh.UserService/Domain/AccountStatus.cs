namespace GrpcMesh.UserService.Domain;

public enum AccountStatus
{
    Active = 1,
    Suspended = 2,
    Deleted = 3,
}
