using Grpc.Core;
using GrpcMesh.ServiceDefaults.Auth.Oidc;
using GrpcMesh.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GrpcMesh.ServiceDefaults.Auth;

/// <summary>
/// Authenticates and authorizes one call: health and reflection are open; every other RPC needs a bearer token
/// validated by the JwtBearer handler (signature, issuer, audience, lifetime) — once per token, then from
/// <see cref="ValidatedTokenCache"/> — and the scope its service declared in <see cref="MethodScopes"/>.
/// Refusals are <see cref="RpcException"/>s (UNAUTHENTICATED / PERMISSION_DENIED), so the client gets a gRPC
/// trailers-only response with a clear grpc-message instead of a bare HTTP 401/403. With <c>Auth:Authority</c>, a token
/// whose <c>kid</c> the service does not know yet first has the keys fetched (bounded, see <see cref="OidcMetadata"/>).
/// </summary>
internal sealed partial class CallAuthenticator(
    IOptions<AuthOptions> options, ScopeRequirements scopes, ValidatedTokenCache cache, IServiceProvider services, ILogger<CallAuthenticator> logger)
{
    private const string BearerPrefix = "Bearer ";
    private readonly bool _enabled = options.Value.Enabled;
    private readonly bool _hasSigningKey = options.Value.SigningKeyBytes() is not null;
    private readonly OidcMetadata? _oidc = options.Value.Enabled && !string.IsNullOrWhiteSpace(options.Value.Authority)
        ? services.GetRequiredService<OidcMetadata>()
        : null;

    /// <summary>
    /// The call's validated token (null for open methods and when auth is off). Completes synchronously for open
    /// methods and cached tokens.
    /// </summary>
    public ValueTask<ValidatedToken?> AuthenticateAsync(ServerCallContext context)
    {
        if (!_enabled || RequestPaths.IsHealth(context.Method) || RequestPaths.IsReflection(context.Method))
        {
            return ValueTask.FromResult<ValidatedToken?>(null);
        }

        var http = context.GetHttpContext();
        string? header = http.Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            throw RpcErrors.Unauthenticated("MISSING_TOKEN", "missing bearer token: send the header 'authorization: Bearer <jwt>'");
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) || header.Length == BearerPrefix.Length)
        {
            throw RpcErrors.Unauthenticated("MISSING_TOKEN", "the authorization header is not a bearer token ('Bearer <jwt>')");
        }

        if (cache.TryGet(header, out var token))
        {
            Authorize(token, context.Method, http);
            return ValueTask.FromResult<ValidatedToken?>(token);
        }

        return ValidateAsync(header, context.Method, http);
    }

    private async ValueTask<ValidatedToken?> ValidateAsync(string header, string method, HttpContext http)
    {
        var keyId = _oidc is null ? null : await EnsureKeysAsync(_oidc, header, method, http.RequestAborted).ConfigureAwait(false);
        var result = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var message = Describe(result.Failure);
            LogRejected(logger, method, message);
            throw RpcErrors.Unauthenticated("INVALID_TOKEN", message);
        }

        var token = ValidatedToken.From(result.Principal, keyId);
        cache.Add(header, token);
        Authorize(token, method, http);
        return token;
    }

    /// <summary>
    /// The token's <c>kid</c>, after making sure the authority's keys are there and, for a <c>kid</c> not among them, fetched
    /// again (a rotation) unless a fetch ran within <c>Auth:MetadataRefreshMinInterval</c>. Waits at most <c>Auth:MetadataTimeout</c>.
    /// </summary>
    private async ValueTask<string?> EnsureKeysAsync(OidcMetadata oidc, string header, string method, CancellationToken cancel)
    {
        var (algorithm, keyId) = HeaderOf(header);
        if (_hasSigningKey && algorithm == SecurityAlgorithms.HmacSha256)
        {
            return null; // Auth:SigningKey's token (a service credential): the provider plays no part.
        }

        if (!oidc.HasKeys)
        {
            await oidc.FetchAndWaitAsync(cancel).ConfigureAwait(false);
            if (!oidc.HasKeys)
            {
                LogNoKeys(logger, method, oidc.Address);
                throw RpcErrors.Unavailable($"cannot validate the bearer token: the identity provider's keys ({oidc.Address}) could not be fetched yet; retry later");
            }
        }

        if (keyId is not null && !oidc.Knows(keyId))
        {
            await oidc.FetchAndWaitAsync(cancel).ConfigureAwait(false);
        }

        return keyId;
    }

    private static (string? Algorithm, string? KeyId) HeaderOf(string header)
    {
        try
        {
            var token = new JsonWebToken(header[BearerPrefix.Length..].Trim());
            return (token.Alg, token.Kid);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenMalformedException)
        {
            return (null, null); // Malformed: the validation says so.
        }
    }

    private void Authorize(ValidatedToken token, string method, HttpContext http)
    {
        // The principal's Identity.Name is the token's "sub" (NameClaimType), which the rate limiter keys on.
        http.User = token.Principal;

        var required = scopes.For(method);
        if (required is null || token.HasScope(required))
        {
            return;
        }

        var granted = token.Scopes.Length == 0 ? "no scopes" : $"'{string.Join(' ', token.Scopes)}'";
        LogForbidden(logger, method, required, token.Subject);
        throw RpcErrors.PermissionDenied(required, $"{method} requires scope '{required}'; the token grants {granted}");
    }

    private static string Describe(Exception? failure) => failure switch
    {
        null => "bearer token was not accepted",
        SecurityTokenExpiredException expired => $"bearer token expired at {expired.Expires:O}",
        SecurityTokenNotYetValidException => "bearer token is not valid yet (nbf)",
        SecurityTokenSignatureKeyNotFoundException => "bearer token signature is invalid: no trusted key matches its kid",
        SecurityTokenInvalidSignatureException => "bearer token signature is invalid",
        SecurityTokenInvalidAudienceException => "bearer token audience is not accepted",
        SecurityTokenInvalidIssuerException => "bearer token issuer is not accepted",
        SecurityTokenNoExpirationException => "bearer token has no expiry (exp)",
        SecurityTokenMalformedException or ArgumentException => "bearer token is malformed",
        _ => $"bearer token was not accepted ({failure.GetType().Name})",
    };

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "{Method}: bearer token rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "{Method}: no identity provider keys from {Address} yet; call refused with UNAVAILABLE")]
    private static partial void LogNoKeys(ILogger logger, string method, string address);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "{Method}: caller {Subject} lacks scope {Scope}")]
    private static partial void LogForbidden(ILogger logger, string method, string scope, string? subject);
}
