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

    /// <summary>
    /// Fetch the discovery document and JWKS over https only. Turn off only for an authority on loopback (tests) or behind
    /// a trusted sidecar.
    /// </summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>
    /// How often the authority's keys are fetched again. A key the identity provider removes stops validating tokens
    /// (cached ones included) at most this long (plus <see cref="MetadataTimeout"/>) after the removal.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MetadataRefreshInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// A token whose <c>kid</c> is unknown makes the service fetch the keys at once (the identity provider rotated), but at
    /// most once per this interval, so a flood of tokens with made-up <c>kid</c>s cannot hammer the provider.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MetadataRefreshMinInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest a call waits on the identity provider (a fetch for an unknown <c>kid</c>, or the first fetch); also
    /// the timeout of each backchannel attempt. Tokens under already-known keys never wait.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan MetadataTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Expected <c>iss</c>.</summary>
    [Required]
    public string Issuer { get; set; } = "grpcmesh";

    /// <summary>Expected <c>aud</c>.</summary>
    [Required]
    public string Audience { get; set; } = "grpcmesh";

    /// <summary>
    /// Tolerated clock difference when checking <c>exp</c>/<c>nbf</c>: a token is accepted until <c>exp</c> + this, never
    /// later (a cached one neither).
    /// </summary>
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
