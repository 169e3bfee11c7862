namespace GrpcMesh.Clients.Balancing;

/// <summary>
/// The endpoint the previous attempt of one call went to. The retry interceptor puts a fresh trail in the call's async
/// context; the picker records each pick in it and sends a retry to a different endpoint when there is one.
/// </summary>
internal sealed class AttemptTrail
{
    public EndpointState? Last { get; set; }
}
