using GrpcMesh.Clients.Auth;
using GrpcMesh.ServiceDefaults.Auth;

namespace GrpcMesh.ServiceDefaults.Upstream;

/// <summary>
/// A service's own credential for its calls to another mesh service: a short-lived token (<c>Auth:ServiceTokenLifetime</c>)
/// for <paramref name="subject"/> with <paramref name="scopes"/>, minted with this service's <c>Auth:SigningKey</c> and
/// re-minted once 80 % of its lifetime has passed. Without a signing key (auth off, or OIDC only) no token is sent; set
/// <c>Clients:&lt;name&gt;:Auth:Token</c> then if the callee needs one.
/// </summary>
internal sealed class ServiceCredential(ServiceTokenIssuer issuer, TimeProvider time, string subject, IReadOnlyList<string> scopes) : ICallTokenProvider
{
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
                _current = current = (issuer.Issue(subject, scopes, lifetime), now + (lifetime * 0.8));
            }

            return ValueTask.FromResult<string?>(current.Token);
        }
    }
}
