namespace GrpcMesh.Clients.Balancing;

/// <summary>How one attempt sent to an endpoint ended, as far as the endpoint's health is concerned.</summary>
internal enum AttemptOutcome
{
    /// <summary>The endpoint answered (any status but UNAVAILABLE).</summary>
    Success,

    /// <summary>UNAVAILABLE, HTTP 502/503/504 or a connection error.</summary>
    Failure,

    /// <summary>Cancelled or timed out by the caller: says nothing about the endpoint.</summary>
    Cancelled,
}
