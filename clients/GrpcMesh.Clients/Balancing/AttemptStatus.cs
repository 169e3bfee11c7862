using System.Globalization;
using System.Net;
using Grpc.Core;
using GrpcMesh.Clients.Statuses;

namespace GrpcMesh.Clients.Balancing;

/// <summary>
/// What one HTTP attempt under the balancer says about its endpoint, as a <see cref="StatusKind"/> of the taxonomy.
/// Only what is visible at the HTTP level: the status of a trailers-only response (how servers answer errors), HTTP
/// 502/503/504 from a proxy, a transport exception, or a cancellation. A status sent in trailers after a message is not
/// seen: such a call reached a working server.
/// </summary>
internal static class AttemptStatus
{
    /// <summary>
    /// Slack for a deadline cancellation: the grpc-timeout header is computed before the balancer picks (which may wait
    /// for a connection), so the attempt is sent a little after the deadline's clock started.
    /// </summary>
    internal static readonly TimeSpan DeadlineSlack = TimeSpan.FromMilliseconds(50);

    public static StatusKind Of(HttpResponseMessage response)
    {
        if (response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout)
        {
            return StatusKind.Unavailable;
        }

        return response.Headers.TryGetValues("grpc-status", out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            ? StatusTaxonomy.KindOf((StatusCode)code)
            : StatusKind.Success;
    }

    /// <summary>
    /// An attempt cancelled after <paramref name="elapsed"/>: Grpc.Net.Client cancels the HTTP request when the call's
    /// deadline passes (a slow unary server sends no headers until it answers), so once the request's grpc-timeout has
    /// elapsed it is a <see cref="StatusKind.Timeout"/> of the endpoint; earlier, the caller cancelled.
    /// </summary>
    public static StatusKind OfCancelled(HttpRequestMessage request, TimeSpan elapsed) =>
        request.Headers.TryGetValues(GrpcTimeoutHeader.Name, out var values)
        && GrpcTimeoutHeader.TryParse(values.FirstOrDefault(), out var timeout)
        && elapsed + DeadlineSlack >= timeout
            ? StatusKind.Timeout
            : StatusKind.Cancelled;
}
