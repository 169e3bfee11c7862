using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Auth;

/// <summary>
/// WebApplication adds the authentication middleware by itself once authentication is registered, and with a single
/// scheme that middleware would validate the bearer token of every request (≈3 µs each, no cache). Without an explicit
/// default authenticate scheme it does nothing; <see cref="CallAuthenticator"/> validates each token once instead.
/// </summary>
internal sealed class ExplicitDefaultSchemeProvider(IOptions<AuthenticationOptions> options) : AuthenticationSchemeProvider(options)
{
    private readonly AuthenticationOptions _options = options.Value;

    public override Task<AuthenticationScheme?> GetDefaultAuthenticateSchemeAsync() =>
        (_options.DefaultAuthenticateScheme ?? _options.DefaultScheme) is { } name
            ? GetSchemeAsync(name)
            : Task.FromResult<AuthenticationScheme?>(null);
}
