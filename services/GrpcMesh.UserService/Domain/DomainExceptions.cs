namespace GrpcMesh.UserService.Domain;

/// <summary>
/// A request the domain refuses. Stores and rules throw these; the gRPC layer maps each kind to one status code
/// (NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED).
/// </summary>
public abstract class DomainException(string message, Exception? innerException = null) : Exception(message, innerException);

public sealed class ResourceNotFoundException(string resourceType, string resourceId)
    : DomainException($"{resourceType} '{resourceId}' not found")
{
    public string ResourceType { get; } = resourceType;

    public string ResourceId { get; } = resourceId;
}

public sealed class ResourceConflictException(string resourceType, string resourceId, string message)
    : DomainException(message)
{
    public string ResourceType { get; } = resourceType;

    public string ResourceId { get; } = resourceId;
}

/// <param name="type">Machine-readable kind, e.g. <see cref="PreconditionTypes.InsufficientCredit"/>.</param>
/// <param name="subject">What the precondition is about, e.g. <c>users/usr_…</c>.</param>
public sealed class PreconditionFailedException(string type, string subject, string message)
    : DomainException(message)
{
    public string Type { get; } = type;

    public string Subject { get; } = subject;
}

/// <summary>An optimistic-concurrency conflict (etag mismatch): re-read and retry the whole read-modify-write.</summary>
public sealed class ConcurrencyConflictException(string message) : DomainException(message);
