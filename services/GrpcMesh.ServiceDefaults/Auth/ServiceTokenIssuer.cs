using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GrpcMesh.ServiceDefaults.Auth;

/// <summary>
/// Mints HS256 tokens with <c>Auth:SigningKey</c>/<c>Issuer</c>/<c>Audience</c>: a service's own credential for its
/// outgoing calls, and the development tokens. Unavailable (<see cref="CanIssue"/> false) without a signing key.
/// </summary>
public sealed class ServiceTokenIssuer(IOptions<AuthOptions> options, TimeProvider time)
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public bool CanIssue => options.Value.SigningKeyBytes() is { Length: >= AuthOptionsValidator.MinimumKeyBytes };

    public TimeSpan DefaultLifetime => options.Value.ServiceTokenLifetime;

    public string Issue(string subject, IEnumerable<string> scopes, TimeSpan? lifetime = null) =>
        Create(options.Value, subject, scopes, time.GetUtcNow(), lifetime ?? options.Value.ServiceTokenLifetime);

    /// <summary>An HS256 token for <paramref name="auth"/>'s key, issuer and audience, valid from <paramref name="now"/> for <paramref name="lifetime"/>.</summary>
    public static string Create(AuthOptions auth, string subject, IEnumerable<string> scopes, DateTimeOffset now, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(auth);
        var key = auth.SigningKeyBytes() ?? throw new InvalidOperationException("Auth:SigningKey is not set; this service cannot issue tokens");
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.Issuer,
            Audience = auth.Audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim(ScopeClaim.Type, string.Join(' ', scopes))]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
        });
    }
}
