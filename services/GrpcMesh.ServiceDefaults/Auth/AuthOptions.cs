using System.ComponentModel.DataAnnotations;

namespace GrpcMesh.ServiceDefaults.Auth;

/// <summary>The <c>Auth</c> configuration section: bearer tokens (JWT) on the business RPCs.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>
    /// The key appsettings.Development.json ships so local development works with auth on. Refused outside the
    /// Development environment.
    /// </summary>
    public const string DevelopmentSigningKey = "Z3JwY21lc2gtZGV2LW9ubHktc2lnbmluZy1rZXktZG8tbm90LXVzZS1pbi1wcm9kISE=";

    /// <summary>Require a bearer token on every RPC except health (and reflection when enabled). Turn off only for tests.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Base64 HS256 key (at least 32 bytes) that signs and validates tokens.</summary>
    public string? SigningKey { get; set; }

    /// <summary>OIDC authority whose discovery document and JWKS validate tokens (instead of, or besides, <see cref="SigningKey"/>).</summary>
    public string? Authority { get; set; }

    /// <summary>Expected <c>iss</c>.</summary>
    [Required]
    public string Issuer { get; set; } = "grpcmesh";

    /// <summary>Expected <c>aud</c>.</summary>
    [Required]
    public string Audience { get; set; } = "grpcmesh";

    /// <summary>Tolerated clock difference when checking <c>exp</c>/<c>nbf</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Validated tokens kept (until their <c>exp</c>) so a token is checked once, not on every call.</summary>
    [Range(16, 1_000_000)]
    public int TokenCacheSize { get; set; } = 10_000;

    /// <summary>Lifetime of the service tokens this service mints for its own outgoing calls (refreshed before expiry).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan ServiceTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The decoded <see cref="SigningKey"/>, or null when unset or not base64.</summary>
    public byte[]? SigningKeyBytes()
    {
        if (string.IsNullOrWhiteSpace(SigningKey))
        {
            return null;
        }

        var buffer = new byte[SigningKey.Length];
        return Convert.TryFromBase64String(SigningKey.Trim(), buffer, out var written) ? buffer[..written] : null;
    }
}
