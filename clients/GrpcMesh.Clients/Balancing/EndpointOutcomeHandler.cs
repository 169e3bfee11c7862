using GrpcMesh.Clients.Target;
using System.Net;

namespace GrpcMesh.Clients.Balancing;

/// <summary>
/// Reports the outcome of every attempt to the endpoint it went to. It sits under grpc-dotnet's balancer handler, which
/// has already rewritten the request URI to the picked endpoint. The balancer's own call tracker only sees transport
/// exceptions; this handler also reads the status of trailers-only responses (how servers answer errors such as
/// UNAVAILABLE) and HTTP 502/503/504 from proxies. A status sent in trailers after a message is not seen: such a call
/// reached a working server.
/// </summary>
internal sealed class EndpointOutcomeHandler(EndpointTable? table) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        table is null || request.RequestUri is null ? base.SendAsync(request, cancellationToken) : SendTrackedAsync(table, request, cancellationToken);

    private async Task<HttpResponseMessage> SendTrackedAsync(EndpointTable endpoints, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var endpoint = EndpointKey.Of(request.RequestUri!);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            endpoints.ReportAttempt(endpoint, AttemptOutcome.Cancelled);
            throw;
        }
        catch (Exception)
        {
            endpoints.ReportAttempt(endpoint, AttemptOutcome.Failure);
            throw;
        }

        endpoints.ReportAttempt(endpoint, IsUnavailable(response) ? AttemptOutcome.Failure : AttemptOutcome.Success);
        return response;
    }

    private static bool IsUnavailable(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout
        || (response.Headers.TryGetValues("grpc-status", out var status) && status.FirstOrDefault() == "14");
}
