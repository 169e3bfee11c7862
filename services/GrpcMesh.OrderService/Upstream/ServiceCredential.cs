using GrpcMesh.Clients.Auth;
using GrpcMesh.OrderService.Grpc;
using GrpcMesh.ServiceDefaults.Auth;

namespace GrpcMesh.OrderService.Upstream;

/// <summary>
/// OrderService's own credential for its UserService calls: a short-lived token (<c>Auth:ServiceTokenLifetime</c>) with
/// <see cref="OrderServiceScopes.UpstreamScopes"/>, minted with this service's <c>Auth:SigningKey</c> and re-minted
/// once 80 % of its lifetime has passed. Without a signing key (auth off, or OIDC only) no token is sent; set
/// <c>Clients:UserService:Auth:Token</c> then if UserService needs one.
/// </summary>
internal sealed class ServiceCredential(ServiceTokenIssuer issuer, TimeProvider time) : ICallTokenProvider
{
    public const string Subject = "grpcmesh-orderservice";

    private readonly Lock _lock = new();
    private (string Token, DateTimeOffset RefreshAt)? _current;

    public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (!issuer.CanIssue)
        {
            return ValueTask.FromResult<string?>(null);
        }

        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_current is not { } current || now >= current.RefreshAt)
            {
                var lifetime = issuer.DefaultLifetime;
                _current = current = (issuer.Issue(Subject, OrderServiceScopes.UpstreamScopes, lifetime), now + (lifetime * 0.8));
            }

            return ValueTask.FromResult<string?>(current.Token);
        }
    }
}
