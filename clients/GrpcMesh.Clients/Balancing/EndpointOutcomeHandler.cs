using GrpcMesh.Clients.Statuses;
using GrpcMesh.Clients.Target;

namespace GrpcMesh.Clients.Balancing;

/// <summary>
/// Reports the outcome of every attempt to the endpoint it went to (<see cref="AttemptStatus"/> says how it is read). It
/// sits under grpc-dotnet's balancer handler, which has already rewritten the request URI to the picked endpoint. The
/// balancer's own call tracker only sees transport exceptions.
/// </summary>
internal sealed class EndpointOutcomeHandler(EndpointTable? table) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        table is null || request.RequestUri is null ? base.SendAsync(request, cancellationToken) : SendTrackedAsync(table, request, cancellationToken);

    private async Task<HttpResponseMessage> SendTrackedAsync(EndpointTable endpoints, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var endpoint = EndpointKey.Of(request.RequestUri!);
        var sent = endpoints.Time.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            endpoints.ReportAttempt(endpoint, AttemptStatus.OfCancelled(request, endpoints.Time.GetElapsedTime(sent)));
            throw;
        }
        catch (Exception e)
        {
            endpoints.ReportAttempt(endpoint, StatusTaxonomy.KindOf(e) is StatusKind.Cancelled ? StatusKind.Cancelled : StatusKind.Unavailable);
            throw;
        }

        endpoints.ReportAttempt(endpoint, AttemptStatus.Of(response));
        return response;
    }
}
