using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using GrpcMesh.ServiceDefaults.Auth.Oidc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GrpcMesh.ServiceDefaults.Auth;

public static class AuthDefaults
{
    /// <summary>
    /// JwtBearer (the validator, not its middleware) configured from <c>Auth:*</c>, the token cache and <see cref="CallAuthenticator"/>, which
    /// <see cref="Hosting.ServerCallInterceptor"/> runs for every call.
    /// </summary>
    internal static IServiceCollection AddGrpcMeshAuth(this IServiceCollection services)
    {
        services.AddValidatedOptions<AuthOptions>(AuthOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());
        services.TryAddSingleton<ValidatedTokenCache>();
        services.TryAddSingleton<ScopeRequirements>();
        services.TryAddSingleton<CallAuthenticator>();
        services.TryAddSingleton<ServiceTokenIssuer>();
        services.TryAddSingleton<OidcMetadata>();
        services.AddOidcBackchannel();
        services.AddHostedService<OidcMetadataRefresher>();

        services.AddAuthentication().AddJwtBearer();
        WithoutDataProtectionKeyRingAtStart(services);
        services.Replace(ServiceDescriptor.Singleton<IAuthenticationSchemeProvider, ExplicitDefaultSchemeProvider>());
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, IServiceProvider>((jwt, auth, sp) => Configure(jwt, auth.Value, sp));
        return services;
    }

    /// <summary>
    /// AddAuthentication() brings ASP.NET Core data protection, whose hosted service creates a key ring at start-up and, in
    /// a container, warns three times that it is ephemeral and unencrypted. Bearer tokens never use it; should anything
    /// protect data one day, the key ring is still created on first use.
    /// </summary>
    private static void WithoutDataProtectionKeyRingAtStart(IServiceCollection services)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService)
                && services[i].ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService")
            {
                services.RemoveAt(i);
            }
        }
    }

    /// <summary>Declares the scope each RPC of a service needs (one call per service, in its registration).</summary>
    public static IServiceCollection AddMethodScopes(this IServiceCollection services, MethodScopes scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        services.AddSingleton(scopes);
        return services;
    }

    /// <summary>Auth:Issuer for a token signed with Auth:SigningKey, the provider's issuer for one signed with its keys.</summary>
    private static string? IssuerOfKey(SecurityToken token, AuthOptions auth, OidcMetadata provider) =>
        token is JsonWebToken { SigningKey: SymmetricSecurityKey } ? auth.Issuer : provider.Issuer;

    private static void Configure(JwtBearerOptions jwt, AuthOptions auth, IServiceProvider services)
    {
        jwt.MapInboundClaims = false;
        jwt.Audience = auth.Audience;
        var parameters = jwt.TokenValidationParameters;
        parameters.ValidIssuers = [auth.Issuer];
        parameters.ValidAudiences = [auth.Audience];
        parameters.ClockSkew = auth.ClockSkew;
        parameters.RequireExpirationTime = true;
        parameters.NameClaimType = "sub";
        if (auth.SigningKeyBytes() is { } key)
        {
            parameters.IssuerSigningKey = new SymmetricSecurityKey(key);
        }

        if (!string.IsNullOrWhiteSpace(auth.Authority))
        {
            // Not jwt.Authority: that builds the stock manager, whose fetches a call may wait on (see OidcMetadata).
            // JwtBearer accepts the discovery document's issuer besides Auth:Issuer, and its keys besides Auth:SigningKey;
            // each key vouches for its own issuer only (the signature is checked before the issuer).
            var metadata = services.GetRequiredService<OidcMetadata>();
            jwt.ConfigurationManager = metadata;
            parameters.IssuerValidator = (issuer, token, _) => IssuerOfKey(token, auth, metadata) is var expected
                && string.Equals(issuer, expected, StringComparison.Ordinal)
                    ? issuer
                    : throw new SecurityTokenInvalidIssuerException(
                        $"issuer '{issuer}' is not the one its signing key belongs to ('{expected}')") { InvalidIssuer = issuer };
        }
        else
        {
            parameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }
    }
}
