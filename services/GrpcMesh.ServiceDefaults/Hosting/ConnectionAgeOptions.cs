using System.ComponentModel.DataAnnotations;

namespace GrpcMesh.ServiceDefaults.Hosting;

/// <summary>
/// The <c>Connections</c> configuration section: how long a client may keep one HTTP/2 connection (gRPC A9
/// MAX_CONNECTION_AGE / MAX_CONNECTION_AGE_GRACE). A client that holds one long-lived connection — any gRPC library,
/// any language — only spreads over new replicas when it reconnects; an age limit makes it reconnect.
/// </summary>
public sealed class ConnectionAgeOptions
{
    public const string SectionName = "Connections";

    /// <summary>
    /// After this age (±10 % jitter, so connections opened together do not all reconnect together) the server sends
    /// GOAWAY: calls in flight finish on the old connection, new calls go to a new one. Null (the default, as in gRPC):
    /// connections live until the client or the server's shutdown closes them.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan? MaxAge { get; set; }

    /// <summary>
    /// How long calls still in flight after the GOAWAY may run before the connection is closed under them (long
    /// server streams such as WatchOrders end with UNAVAILABLE and the client re-subscribes). Null (the default, as in
    /// gRPC): they run to completion.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan? MaxAgeGrace { get; set; }
}
