using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GrpcMesh.Testing.Oidc;

/// <summary>
/// A throwaway OpenID Connect provider on real Kestrel at 127.0.0.1 (a free port): it serves
/// <c>/.well-known/openid-configuration</c> and a JWKS of its published keys, mints tokens, and can rotate keys and go
/// down (<see cref="Outage"/>) while the test watches what a service started with <c>Auth:Authority</c> does.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string JwksPath = "/jwks";

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<TestSigningKey> _published = [];
    private readonly List<TestSigningKey> _owned = [];
    private TestSigningKey _signing;
    private int _discoveryRequests;
    private int _jwksRequests;
    private int _failNext;
    private OutageMode _failNextMode;
    private long _lastJwksRequestTicks;

    private TestIdentityProvider(WebApplication app, TestSigningKey first)
    {
        _app = app;
        _signing = first;
        _published.Add(first);
        _owned.Add(first);
    }

    /// <summary>The authority URL (<c>http://127.0.0.1:port</c>), also the <c>iss</c> of its tokens.</summary>
    public string Authority { get; private set; } = "";

    public string Audience { get; init; } = "grpcmesh";

    /// <summary>How the provider answers while down; <see cref="OutageMode.None"/> serves normally.</summary>
    public OutageMode Outage { get; set; }

    public int DiscoveryRequests => Volatile.Read(ref _discoveryRequests);

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    /// <summary>When the JWKS was last asked for (UTC), <see cref="DateTime.MinValue"/> before.</summary>
    public DateTime LastJwksRequestAt => new(Volatile.Read(ref _lastJwksRequestTicks), DateTimeKind.Utc);

    /// <summary>The next <paramref name="count"/> requests (discovery or JWKS) fail as <paramref name="mode"/> does: a transient fault.</summary>
    public void FailNext(int count, OutageMode mode)
    {
        _failNextMode = mode;
        Volatile.Write(ref _failNext, count);
    }

    public TestSigningKey SigningKey
    {
        get
        {
            lock (_gate)
            {
                return _signing;
            }
        }
    }

    /// <summary>Starts a provider that publishes and signs with one RS256 key.</summary>
    public static async Task<TestIdentityProvider> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var provider = new TestIdentityProvider(app, TestSigningKey.Rs256("rs-1"));
        app.MapGet("/.well-known/openid-configuration", provider.DiscoveryAsync);
        app.MapGet(JwksPath, provider.JwksAsync);
        await app.StartAsync(cancellationToken);
        provider.Authority = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.Single().TrimEnd('/');
        return provider;
    }

    /// <summary>Settings that turn a service's auth on against this provider (plain http on loopback).</summary>
    public Dictionary<string, string?> HostSettings() => new()
    {
        ["Auth:Enabled"] = "true",
        ["Auth:Authority"] = Authority,
        ["Auth:RequireHttpsMetadata"] = "false",
        ["Auth:Audience"] = Audience,
    };

    /// <summary>Publishes <paramref name="key"/> in the JWKS; with <paramref name="signWith"/> new tokens are signed with it.</summary>
    public void Publish(TestSigningKey key, bool signWith)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            _published.Add(key);
            _owned.Add(key);
            if (signWith)
            {
                _signing = key;
            }
        }
    }

    /// <summary>Drops the key from the JWKS (tokens it signed should stop validating).</summary>
    public void Unpublish(string keyId)
    {
        lock (_gate)
        {
            _published.RemoveAll(k => k.KeyId == keyId);
        }
    }

    /// <summary>A token signed with the current key, or with <paramref name="key"/> (which need not be published).</summary>
    public string Mint(
        string subject, IEnumerable<string> scopes, TimeSpan? lifetime = null, TestSigningKey? key = null, string? issuer = null,
        string? audience = null, DateTimeOffset? issuedAt = null)
    {
        var now = (issuedAt ?? DateTimeOffset.UtcNow).UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Authority,
            Audience = audience ?? Audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim("scope", string.Join(' ', scopes))]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? TimeSpan.FromMinutes(5)),
            SigningCredentials = (key ?? SigningKey).Credentials,
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    private async Task DiscoveryAsync(HttpContext context)
    {
        Interlocked.Increment(ref _discoveryRequests);
        if (await ServedOutageAsync(context))
        {
            return;
        }

        await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
        {
            ["issuer"] = Authority,
            ["jwks_uri"] = Authority + JwksPath,
            ["id_token_signing_alg_values_supported"] = new[] { SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256 },
        }, context.RequestAborted);
    }

    private async Task JwksAsync(HttpContext context)
    {
        Interlocked.Increment(ref _jwksRequests);
        Volatile.Write(ref _lastJwksRequestTicks, DateTime.UtcNow.Ticks);
        if (await ServedOutageAsync(context))
        {
            return;
        }

        List<Dictionary<string, string>> keys;
        lock (_gate)
        {
            keys = _published.Select(k => k.PublicJwk()).ToList();
        }

        await context.Response.WriteAsJsonAsync(new { keys }, context.RequestAborted);
    }

    private async Task<bool> ServedOutageAsync(HttpContext context)
    {
        var mode = Outage;
        if (mode == OutageMode.None && Volatile.Read(ref _failNext) > 0 && Interlocked.Decrement(ref _failNext) >= 0)
        {
            mode = _failNextMode;
        }

        switch (mode)
        {
            case OutageMode.ServerError:
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return true;
            case OutageMode.ConnectionReset:
                context.Abort();
                return true;
            case OutageMode.Hang:
                try
                {
                    using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
                    await Task.Delay(Timeout.Infinite, either.Token);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up, as it should.
                }

                return true;
            default:
                return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Outage = OutageMode.None;
        await _stopping.CancelAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
        foreach (var key in _owned)
        {
            key.Dispose();
        }
    }
}

/// <summary>How <see cref="TestIdentityProvider"/> fails while down.</summary>
public enum OutageMode
{
    None,

    /// <summary>HTTP 503 on every request.</summary>
    ServerError,

    /// <summary>The connection is aborted (the client sees a connection error).</summary>
    ConnectionReset,

    /// <summary>The request never gets an answer (only the client's timeout ends it).</summary>
    Hang,
}
