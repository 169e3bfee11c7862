using GrpcMesh.UserService.Domain;

namespace GrpcMesh.UserService.Storage;

/// <param name="Created">False when the request was a replay of an earlier CreateUser with the same request id.</param>
public sealed record CreateUserResult(UserAccount User, bool Created);
