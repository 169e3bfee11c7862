namespace GrpcMesh.UserService.Storage;

/// <param name="PageSize">1..1000.</param>
/// <param name="AfterId">Exclusive lower bound on the id (the last id of the previous page), or null for the first page.</param>
public sealed record UserListQuery(int PageSize, string? AfterId, bool IncludeDeleted);
