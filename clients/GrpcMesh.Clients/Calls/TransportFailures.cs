using System.Net.Sockets;
using Grpc.Core;

namespace GrpcMesh.Clients.Calls;

/// <summary>
/// Statuses Grpc.Net.Client makes up from a broken connection. It reports most of them as UNAVAILABLE but some (a
/// reset during the HTTP/2 handshake, a stream reset) as INTERNAL; a status a server sent never carries a debug
/// exception, so the transport exception behind it tells the two apart.
/// </summary>
public static class TransportFailures
{
    /// <summary>An INTERNAL that no server sent: the connection broke. Treat it like UNAVAILABLE (outcome unknown).</summary>
    public static bool IsClientMadeInternal(RpcException error) =>
        error.StatusCode == StatusCode.Internal && HasTransportCause(error.Status.DebugException);

    private static bool HasTransportCause(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is HttpRequestException or IOException or SocketException)
            {
                return true;
            }
        }

        return false;
    }
}
