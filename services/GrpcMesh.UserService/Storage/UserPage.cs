using GrpcMesh.UserService.Domain;

namespace GrpcMesh.UserService.Storage;

/// <param name="NextAfterId">The id to continue after, or null when this is the last page.</param>
public sealed record UserPage(IReadOnlyList<UserAccount> Users, string? NextAfterId);
