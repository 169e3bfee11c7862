using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace GrpcMesh.Clients.Resilience;

/// <summary>What the client pipeline knows about one RPC, precomputed from the generated descriptors and the options.</summary>
internal sealed class MethodPolicy(
    string fullName, bool isIdempotent, FieldDescriptor? idempotencyKey, TimeSpan deadline, bool hasNoSideEffects = false, TimeSpan? perAttemptTimeout = null)
{
    /// <summary>The gRPC path, e.g. <c>/grpcmesh.user.v1.UserService/GetUser</c>.</summary>
    public string FullName { get; } = fullName;

    /// <summary>The proto marks the RPC <c>NO_SIDE_EFFECTS</c> or <c>IDEMPOTENT</c>.</summary>
    public bool IsIdempotent { get; } = isIdempotent;

    /// <summary>The proto marks the RPC <c>NO_SIDE_EFFECTS</c>: it may be hedged (sent twice at once).</summary>
    public bool HasNoSideEffects { get; } = hasNoSideEffects;

    /// <summary>The request's <c>request_id</c> string field, when it has one.</summary>
    public FieldDescriptor? IdempotencyKey { get; } = idempotencyKey;

    /// <summary>Deadline used when the caller sets none.</summary>
    public TimeSpan Deadline { get; } = deadline;

    /// <summary>The per-attempt timeout of this method's attempts (Retry:MethodPerAttemptTimeouts, else Retry:PerAttemptTimeout); null: off.</summary>
    public TimeSpan? PerAttemptTimeout { get; } = perAttemptTimeout;

    /// <summary>True when repeating this request cannot apply it twice: an idempotent RPC, or a non-empty idempotency key.</summary>
    public bool IsSafeToRepeat(object request) =>
        IsIdempotent
        || (IdempotencyKey is not null && request is IMessage message && IdempotencyKey.Accessor.GetValue(message) is string { Length: > 0 });
}
