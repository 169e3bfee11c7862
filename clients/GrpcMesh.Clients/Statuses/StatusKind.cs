namespace GrpcMesh.Clients.Statuses;

/// <summary>What the end of a call says about the callee; see <see cref="StatusTaxonomy"/> for the codes of each kind.</summary>
public enum StatusKind
{
    /// <summary>OK.</summary>
    Success,

    /// <summary>The callee answered no (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, OUT_OF_RANGE): nothing changed.</summary>
    Refusal,

    /// <summary>The callee refused the caller's credential (UNAUTHENTICATED, PERMISSION_DENIED) before any handler ran: nothing changed.</summary>
    CredentialRefusal,

    /// <summary>The callee answered with a conflict (ALREADY_EXISTS, ABORTED) or does not have the method (UNIMPLEMENTED).</summary>
    Conflict,

    /// <summary>The callee is overloaded (RESOURCE_EXHAUSTED); it may say when to try again (pushback).</summary>
    Overload,

    /// <summary>No answer: UNAVAILABLE, or a broken connection the client reported as INTERNAL. The outcome is unknown.</summary>
    Unavailable,

    /// <summary>DEADLINE_EXCEEDED: the time budget ran out; the outcome is unknown.</summary>
    Timeout,

    /// <summary>CANCELLED: the caller gave up; says nothing about the callee.</summary>
    Cancelled,

    /// <summary>The callee failed (INTERNAL sent by a server, UNKNOWN, DATA_LOSS).</summary>
    ServerError,

    /// <summary>Refused by this client's own open circuit breaker: no request was sent.</summary>
    CircuitOpen,
}
