using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Auth;

/// <summary>
/// With auth on, a service needs a real key or an OIDC authority: a missing, malformed or short key fails start-up,
/// and the documented development key is refused outside Development.
/// </summary>
internal sealed class AuthOptionsValidator(IHostEnvironment environment) : IValidateOptions<AuthOptions>
{
    public const int MinimumKeyBytes = 32;

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        var hasKey = !string.IsNullOrWhiteSpace(options.SigningKey);
        var hasAuthority = !string.IsNullOrWhiteSpace(options.Authority);
        if (!hasKey && !hasAuthority)
        {
            failures.Add("Auth:SigningKey (base64, ≥ 32 bytes) or Auth:Authority is required when Auth:Enabled is true " +
                "(Development uses the key in appsettings.Development.json)");
        }

        if (hasKey)
        {
            var key = options.SigningKeyBytes();
            if (key is null)
            {
                failures.Add("Auth:SigningKey is not valid base64");
            }
            else if (key.Length < MinimumKeyBytes)
            {
                failures.Add($"Auth:SigningKey must decode to at least {MinimumKeyBytes} bytes (HS256); it has {key.Length}");
            }

            if (options.SigningKey!.Trim() == AuthOptions.DevelopmentSigningKey && !environment.IsDevelopment())
            {
                failures.Add($"Auth:SigningKey is the public development key; set a real key outside Development (environment is {environment.EnvironmentName})");
            }
        }

        if (hasAuthority)
        {
            if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority))
            {
                failures.Add("Auth:Authority must be an absolute URL");
            }
            else if (options.RequireHttpsMetadata && authority.Scheme != Uri.UriSchemeHttps)
            {
                failures.Add($"Auth:Authority must be an https URL (it is {authority.Scheme}); set Auth:RequireHttpsMetadata=false only for a loopback or sidecar authority");
            }
        }

        if (options.MetadataRefreshMinInterval > options.MetadataRefreshInterval)
        {
            failures.Add($"Auth:MetadataRefreshMinInterval ({options.MetadataRefreshMinInterval}) must not exceed Auth:MetadataRefreshInterval ({options.MetadataRefreshInterval})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
