using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using GrpcMesh.Clients.Options;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.Clients.Balancing;

/// <summary>
/// grpc.health.v1 <c>Watch</c> (or <c>Check</c>) against one endpoint, over a channel of its own (one HTTP/2 connection per
/// endpoint, shared handler). SERVING → healthy; NOT_SERVING, SERVICE_UNKNOWN → unhealthy; a Check that fails → unhealthy;
/// Check answering UNIMPLEMENTED (no health service) → healthy, since there is nothing to ask and call outcomes still
/// drive outlier ejection.
/// </summary>
internal sealed class GrpcHealthProbe : IEndpointHealthProbe
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.OrdinalIgnoreCase);
    private readonly SocketsHttpHandler _handler;
    private readonly string _scheme;
    private readonly string _service;
    private readonly GrpcMeshLoadBalancingOptions _reconnect;

    /// <param name="tlsHost">Name the endpoints' certificates are checked against (the DNS name of a dns:/// address).</param>
    /// <param name="reconnect">Reconnect backoff of the check connections, as for the calls' own connections, so a
    /// restarted endpoint is seen healthy as soon as calls could reach it again.</param>
    public GrpcHealthProbe(bool useTls, string? tlsHost, string service, GrpcMeshHttpOptions http, GrpcMeshLoadBalancingOptions reconnect)
    {
        _reconnect = reconnect;
        _handler = GrpcMeshClientServiceCollectionExtensions.CreatePrimaryHandler(http);
        if (useTls && tlsHost is not null)
        {
            _handler.SslOptions.TargetHost = tlsHost;
        }

        _scheme = useTls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp;
        _service = service;
    }

    public async Task<HealthWatchEnd> WatchAsync(string endpoint, Action<bool> report, CancellationToken cancellationToken)
    {
        try
        {
            using var call = new Health.HealthClient(Channel(endpoint)).Watch(new HealthCheckRequest { Service = _service }, cancellationToken: cancellationToken);
            await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                report(response.Status == HealthCheckResponse.Types.ServingStatus.Serving);
            }

            return HealthWatchEnd.Completed;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            return HealthWatchEnd.Unimplemented;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is RpcException or HttpRequestException or IOException)
        {
            return HealthWatchEnd.Failed;
        }
    }

    public async Task<bool> IsServingAsync(string endpoint, CancellationToken cancellationToken)
    {
        try
        {
            var response = await new Health.HealthClient(Channel(endpoint))
                .CheckAsync(new HealthCheckRequest { Service = _service }, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            return true;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    public void Forget(string endpoint)
    {
        if (_channels.TryRemove(endpoint, out var channel))
        {
            channel.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _channels.Clear();
        _handler.Dispose();
    }

    private GrpcChannel Channel(string endpoint) => _channels.GetOrAdd(endpoint, e => GrpcChannel.ForAddress(
        new Uri($"{_scheme}://{e}"),
        new GrpcChannelOptions
        {
            HttpHandler = _handler,
            DisposeHttpClient = false,
            InitialReconnectBackoff = _reconnect.InitialReconnectBackoff,
            MaxReconnectBackoff = _reconnect.MaxReconnectBackoff,
        }));
}
