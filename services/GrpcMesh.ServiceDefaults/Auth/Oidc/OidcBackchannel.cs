using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Extensions.Http;
using Polly.Timeout;

namespace GrpcMesh.ServiceDefaults.Auth.Oidc;

/// <summary>
/// The plain-HTTP client that fetches the discovery document and JWKS: transient failures (5xx, 408, connection errors,
/// an attempt over <c>Auth:MetadataTimeout</c>) are retried with Polly.Extensions.Http's policy. This is HTTP, so an
/// HTTP-level policy sees every outcome (the gRPC calls keep theirs in interceptors: grpc-status is in trailers).
/// </summary>
internal static class OidcBackchannel
{
    public const int Retries = 2;

    public static IServiceCollection AddOidcBackchannel(this IServiceCollection services)
    {
        // Its failures are logged once, by OidcMetadata (Warning); the factory's per-request lines would only add noise.
        services.AddHttpClient(OidcMetadata.BackchannelName)
            .RemoveAllLoggers()
            .ConfigureHttpClient((sp, client) => client.Timeout = TotalTimeout(sp.GetRequiredService<IOptions<AuthOptions>>().Value.MetadataTimeout))
            .AddHttpMessageHandler(sp => new PolicyHandler(Policy(sp.GetRequiredService<IOptions<AuthOptions>>().Value.MetadataTimeout)));
        return services;
    }

    /// <summary>Every attempt and the back-off between them, so a fetch (in the background) ends too.</summary>
    public static TimeSpan TotalTimeout(TimeSpan attemptTimeout) => (attemptTimeout * (Retries + 1)) + Backoff(1) + Backoff(2) + TimeSpan.FromSeconds(1);

    public static IAsyncPolicy<HttpResponseMessage> Policy(TimeSpan attemptTimeout)
    {
        var retry = HttpPolicyExtensions.HandleTransientHttpError()
            .Or<TimeoutRejectedException>()
            .WaitAndRetryAsync(Retries, Backoff, (outcome, _) => outcome.Result?.Dispose());
        return retry.WrapAsync(Polly.Policy.TimeoutAsync<HttpResponseMessage>(attemptTimeout));
    }

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(200 << (attempt - 1));

    private sealed class PolicyHandler(IAsyncPolicy<HttpResponseMessage> policy) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            policy.ExecuteAsync(ct => base.SendAsync(request, ct), cancellationToken);
    }
}
