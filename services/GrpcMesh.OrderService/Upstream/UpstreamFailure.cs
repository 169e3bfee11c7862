using Grpc.Core;
using GrpcMesh.Clients.Statuses;

namespace GrpcMesh.OrderService.Upstream;

/// <summary>A failed UserService call: its status, message and, for refusals, the PreconditionFailure type (e.g. INSUFFICIENT_CREDIT).</summary>
public sealed record UpstreamFailure(StatusCode Code, string Detail, string? PreconditionType = null)
{
    /// <summary>
    /// UserService answered and said no: the call provably changed nothing. Any other failure (UNAVAILABLE,
    /// DEADLINE_EXCEEDED, CANCELLED, INTERNAL…) leaves the outcome unknown.
    /// </summary>
    public bool IsRefusal => Kind == StatusKind.Refusal;

    /// <summary>
    /// UserService refused OrderService's own service credential (UNAUTHENTICATED / PERMISSION_DENIED). Its auth runs
    /// before any handler, so the call changed nothing; the fault is this service's configuration, not the caller's.
    /// </summary>
    public bool IsCredentialRejected => Kind == StatusKind.CredentialRefusal;

    /// <summary>What the status means (<see cref="StatusTaxonomy"/>, the table the client's retry and breaker use too).</summary>
    public StatusKind Kind => StatusTaxonomy.KindOf(Code);

    public override string ToString() => $"{Code}: {Detail}";
}

/// <summary>Either the response or the failure of one UserService call.</summary>
public readonly record struct UpstreamResult<T>(T? Value, UpstreamFailure? Failure) where T : class
{
    public static implicit operator UpstreamResult<T>(T value) => new(value, null);

    public static implicit operator UpstreamResult<T>(UpstreamFailure failure) => new(null, failure);
}
