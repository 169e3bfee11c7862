using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Auth.Oidc;

/// <summary>
/// Fetches the authority's keys at start-up (without holding the start: a provider that is down must not keep the service
/// down) and then every <c>Auth:MetadataRefreshInterval</c>; after a failed fetch again after
/// <c>Auth:MetadataRefreshMinInterval</c>. Does nothing without <c>Auth:Authority</c>. Real time, as <see cref="OidcMetadata"/>.
/// </summary>
internal sealed class OidcMetadataRefresher(IServiceProvider services, IOptions<AuthOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var auth = options.Value;
        if (!auth.Enabled || string.IsNullOrWhiteSpace(auth.Authority))
        {
            return;
        }

        var metadata = services.GetRequiredService<OidcMetadata>();
        while (!stoppingToken.IsCancellationRequested)
        {
            var fetched = await metadata.RefreshAsync().WaitAsync(stoppingToken).ConfigureAwait(false);
            await Task.Delay(fetched ? auth.MetadataRefreshInterval : auth.MetadataRefreshMinInterval, stoppingToken).ConfigureAwait(false);
        }
    }
}
