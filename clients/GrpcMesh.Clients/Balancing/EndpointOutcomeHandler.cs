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
        var load = endpoints.LoadOf(endpoint);
        var sent = endpoints.Time.GetTimestamp();
        load?.Begin();
        var kind = StatusKind.Cancelled;
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            kind = AttemptStatus.Of(response);
            return response;
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            kind = AttemptStatus.OfCancelled(request, endpoints.Time.GetElapsedTime(sent));
            throw;
        }
        catch (Exception e)
        {
            kind = StatusTaxonomy.KindOf(e) is StatusKind.Cancelled ? StatusKind.Cancelled : StatusKind.Unavailable;
            throw;
        }
        finally
        {
            endpoints.ReportAttempt(endpoint, kind);
            load?.End(LatencySample(kind, endpoints.Time.GetElapsedTime(sent)), endpoints.NowTicks, endpoints.LatencyDecayTicks);
        }
    }

    /// <summary>What the attempt adds to its endpoint's latency average: nothing when it says nothing about the endpoint (cancelled by the caller).</summary>
    private static double? LatencySample(StatusKind kind, TimeSpan elapsed) => kind switch
    {
        _ when !StatusTaxonomy.IsEndpointOutcome(kind) => null,
        StatusKind.Overload => Math.Max(elapsed.TotalMilliseconds, EndpointLoad.OverloadLatencyMs),
        _ => elapsed.TotalMilliseconds,
    };
}
