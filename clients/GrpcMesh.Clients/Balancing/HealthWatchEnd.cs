namespace GrpcMesh.Clients.Balancing;

/// <summary>How a health Watch stream ended.</summary>
internal enum HealthWatchEnd
{
    /// <summary>The server closed the stream with OK (grpc-dotnet does so right after NOT_SERVING on SIGTERM): the last status stands.</summary>
    Completed,

    /// <summary>No connection, a reset or an error status: the endpoint cannot say it is serving, so it counts as unhealthy.</summary>
    Failed,

    /// <summary>The server has no Watch (UNIMPLEMENTED): ask with Check instead.</summary>
    Unimplemented,
}
