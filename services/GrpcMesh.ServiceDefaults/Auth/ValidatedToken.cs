using System.Security.Claims;

namespace GrpcMesh.ServiceDefaults.Auth;

/// <summary>A token that passed validation: its principal, subject and scopes, parsed once.</summary>
internal sealed class ValidatedToken(ClaimsPrincipal principal, string? subject, string[] scopes, long expiresUnixSeconds, string? keyId = null)
{
    public ClaimsPrincipal Principal { get; } = principal;

    public string? Subject { get; } = subject;

    public string[] Scopes { get; } = scopes;

    public long ExpiresUnixSeconds { get; } = expiresUnixSeconds;

    /// <summary>The <c>kid</c> of the key that signed it (tokens of an authority), so a key's removal evicts its tokens.</summary>
    public string? KeyId { get; } = keyId;

    public bool HasScope(string scope) => Array.IndexOf(Scopes, scope) >= 0;

    public static ValidatedToken From(ClaimsPrincipal principal, string? keyId = null)
    {
        var scopes = principal.FindAll(ScopeClaim.Type)
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        var exp = long.TryParse(principal.FindFirst("exp")?.Value, System.Globalization.CultureInfo.InvariantCulture, out var seconds) ? seconds : 0;
        return new ValidatedToken(principal, principal.FindFirst("sub")?.Value, scopes, exp, keyId);
    }
}
