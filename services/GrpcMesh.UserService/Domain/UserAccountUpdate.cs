using GrpcMesh.Domain;

namespace GrpcMesh.UserService.Domain;

/// <summary>A validated partial update: null means "not in the update mask".</summary>
/// <param name="ExpectedVersion">From a non-empty etag: the update only applies to this version.</param>
public sealed record UserAccountUpdate(
    string? Email = null,
    string? DisplayName = null,
    Money? CreditLimit = null,
    AccountStatus? Status = null,
    long? ExpectedVersion = null);
