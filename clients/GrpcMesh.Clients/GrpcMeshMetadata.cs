namespace GrpcMesh.Clients;

/// <summary>Metadata keys the client pipeline reads and writes.</summary>
public static class GrpcMeshMetadata
{
    /// <summary>Sent on retried attempts with the number of earlier attempts (gRPC retry design A6).</summary>
    public const string PreviousAttempts = "grpc-previous-rpc-attempts";

    /// <summary>Trailer by which a server asks the client to wait this many milliseconds before retrying (negative: do not retry).</summary>
    public const string RetryPushback = "grpc-retry-pushback-ms";

    /// <summary>
    /// Marks a call whose callee must not retry its own downstream calls. The client sends it on every call made while
    /// handling a server call that is itself a retry or that carried this marker, so retries never multiply across hops.
    /// </summary>
    public const string NoRetry = "grpcmesh-no-retry";
}
