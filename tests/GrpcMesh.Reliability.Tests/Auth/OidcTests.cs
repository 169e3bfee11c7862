using System.Diagnostics;
using Grpc.Core;
using GrpcMesh.Reliability.Tests.Support;
using GrpcMesh.ServiceDefaults.Auth;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Oidc;
using GrpcMesh.UserService.Grpc;

namespace GrpcMesh.Reliability.Tests.Auth;

/// <summary>
/// Tokens from an identity provider (<c>Auth:Authority</c>: OIDC discovery + JWKS) through the production pipeline, against
/// a throwaway provider on loopback: RS256 and ES256 keys, refusals, key rotation, made-up <c>kid</c>s, backchannel retries.
/// </summary>
public sealed class OidcTests(ITestOutputHelper output)
{
    private static readonly string[] Read = [UserServiceScopes.Read];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListUsers_Rs256AndEs256TokensOfTheProvider_Served()
    {
        await using var provider = await TestIdentityProvider.StartAsync(Ct);
        var es256 = TestSigningKey.Es256("es-1");
        provider.Publish(es256, signWith: false);
        using var service = new OidcProbe(provider);

        var rs = await service.CallAsync(provider.Mint("alice", Read), Ct);
        var es = await service.CallAsync(provider.Mint("bob", Read, key: es256), Ct);

        Assert.Equal(StatusCode.OK, rs.Code);
        Assert.Equal(StatusCode.OK, es.Code);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListUsers_ProviderTokensOfAnotherIssuerAudienceOrKey_UnauthenticatedNamingWhy()
    {
        await using var provider = await TestIdentityProvider.StartAsync(Ct);
        using var rogue = TestSigningKey.Rs256("rogue-1");
        using var impostor = TestSigningKey.Es256(provider.SigningKey.KeyId); // a published kid, other key material
        using var service = new OidcProbe(provider);

        var issuer = await service.CallAsync(provider.Mint("mallory", Read, issuer: "https://idp.example"), Ct);
        var audience = await service.CallAsync(provider.Mint("mallory", Read, audience: "another-api"), Ct);
        var unknownKey = await service.CallAsync(provider.Mint("mallory", Read, key: rogue), Ct);
        var wrongKey = await service.CallAsync(provider.Mint("mallory", Read, key: impostor), Ct);
        var garbage = await service.CallAsync("not.a.jwt", Ct);

        Assert.Equal((StatusCode.Unauthenticated, true), (issuer.Code, issuer.Detail.Contains("issuer", StringComparison.Ordinal)));
        Assert.Equal((StatusCode.Unauthenticated, true), (audience.Code, audience.Detail.Contains("audience", StringComparison.Ordinal)));
        Assert.Equal((StatusCode.Unauthenticated, true), (unknownKey.Code, unknownKey.Detail.Contains("signature", StringComparison.Ordinal)));
        Assert.Equal((StatusCode.Unauthenticated, true), (wrongKey.Code, wrongKey.Detail.Contains("signature", StringComparison.Ordinal)));
        Assert.Equal((StatusCode.Unauthenticated, true), (garbage.Code, garbage.Detail.Contains("malformed", StringComparison.Ordinal)));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListUsers_SigningKeyBesideAuthority_EachKeyVouchesForItsOwnIssuerOnly()
    {
        var tokens = new TestTokens();
        await using var provider = await TestIdentityProvider.StartAsync(Ct);
        using var service = new OidcProbe(provider, ("Auth:SigningKey", tokens.SigningKey), ("Auth:Issuer", "grpcmesh"));
        var signingKey = new AuthOptions { SigningKey = tokens.SigningKey, Issuer = provider.Authority };

        var ownToken = await service.CallAsync(tokens.Create("grpcmesh-orderservice", Read), Ct);
        var providerToken = await service.CallAsync(provider.Mint("alice", Read), Ct);
        var providerKeyOwnIssuer = await service.CallAsync(provider.Mint("mallory", Read, issuer: "grpcmesh"), Ct);
        var signingKeyProviderIssuer = await service.CallAsync(
            ServiceTokenIssuer.Create(signingKey, "mallory", Read, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)), Ct);

        Assert.Equal(StatusCode.OK, ownToken.Code);
        Assert.Equal(StatusCode.OK, providerToken.Code);
        Assert.Equal((StatusCode.Unauthenticated, true), (providerKeyOwnIssuer.Code, providerKeyOwnIssuer.Detail.Contains("issuer", StringComparison.Ordinal)));
        Assert.Equal((StatusCode.Unauthenticated, true), (signingKeyProviderIssuer.Code, signingKeyProviderIssuer.Detail.Contains("issuer", StringComparison.Ordinal)));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_ProviderTokenWithReadScopeOnly_PermissionDenied()
    {
        await using var provider = await TestIdentityProvider.StartAsync(Ct);
        using var service = new OidcProbe(provider);

        await RpcAssert.ThrowsAsync(StatusCode.PermissionDenied, () => service.Users.CreateUserAsync(
            Users.NewUser(), TestTokens.Bearer(provider.Mint("alice", Read)), cancellationToken: Ct).ResponseAsync);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Rotation_NewKeyPublishedAndSigning_FirstNewKeyTokenAcceptedWithoutRestart()
    {
        var minInterval = TimeSpan.FromSeconds(1);
        await using var provider = await TestIdentityProvider.StartAsync(Ct);
        using var service = new OidcProbe(provider,
            ("Auth:MetadataRefreshMinInterval", minInterval.ToString()), ("Auth:MetadataTimeout", "00:00:05"));
        Assert.Equal(StatusCode.OK, (await service.CallAsync(provider.Mint("alice", Read), Ct)).Code);
        // The refresh for an unknown kid runs at most once per minimum interval: rotate once that has passed since the
        // last fetch, as a real rotation (hours apart) would find it. Margin: 100 ms.
        await Eventually.WaitAsync(() => DateTime.UtcNow - provider.LastJwksRequestAt > minInterval + TimeSpan.FromMilliseconds(100),
            "the minimum refresh interval since the last key fetch");

        var rotated = Stopwatch.StartNew();
        provider.Publish(TestSigningKey.Es256("es-2"), signWith: true);
        var first = await service.CallAsync(provider.Mint("alice", Read), Ct);
        var acceptedAfter = rotated.Elapsed;

        output.WriteLine($"rotation -> first new-key token accepted after {acceptedAfter.TotalMilliseconds:F0} ms (that call's own latency {first.Elapsed.TotalMilliseconds:F0} ms; {provider.JwksRequests} JWKS fetches in all)");
        Assert.Equal(StatusCode.OK, first.Code);
        // Bound: Auth:MetadataTimeout (5 s), the longest the call may wait for the fetch; on loopback it takes milliseconds.
        Assert.True(acceptedAfter < TimeSpan.FromSeconds(5), $"took {acceptedAfter}");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Rotation_KeyRemovedFromJwks_ItsCachedTokenRefusedWithinRefreshInterval()
    {
        var refreshInterval = TimeSpan.FromSeconds(2);
        await using var provider = await TestIdentityProvider.StartAsync(Ct);
        using var service = new OidcProbe(provider,
            ("Auth:MetadataRefreshInterval", refreshInterval.ToString()), ("Auth:MetadataRefreshMinInterval", "00:00:01"),
            ("Auth:MetadataTimeout", "00:00:02"));
        var oldToken = provider.Mint("alice", Read, lifetime: TimeSpan.FromMinutes(10));
        Assert.Equal(StatusCode.OK, (await service.CallAsync(oldToken, Ct)).Code); // validated and cached
        var oldKeyId = provider.SigningKey.KeyId;
        provider.Publish(TestSigningKey.Rs256("rs-2"), signWith: true);

        var removed = Stopwatch.StartNew();
        provider.Unpublish(oldKeyId);
        (StatusCode Code, string Detail, TimeSpan Elapsed) last = default;
        var accepted = 0;
        await Eventually.WaitAsync(async () =>
        {
            last = await service.CallAsync(oldToken, Ct);
            accepted += last.Code == StatusCode.OK ? 1 : 0;
            return last.Code != StatusCode.OK;
        }, "the removed key's token to be refused");
        var refusedAfter = removed.Elapsed;
        var newKey = await service.CallAsync(provider.Mint("alice", Read), Ct);

        output.WriteLine($"key removed -> its cached token refused after {refusedAfter.TotalMilliseconds:F0} ms ({accepted} calls accepted meanwhile; Auth:MetadataRefreshInterval {refreshInterval.TotalSeconds} s)");
        Assert.Equal(StatusCode.Unauthenticated, last.Code);
        Assert.Contains("signature", last.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.OK, newKey.Code);
        // Bound: the refresh interval plus a fetch (≤ Auth:MetadataTimeout, 2 s), with 3 s margin for a loaded machine.
        Assert.True(refusedAfter < refreshInterval + TimeSpan.FromSeconds(5), $"took {refusedAfter}");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListUsers_FloodOfMadeUpKids_RefusedAndKeyFetchesBoundedByMinInterval()
    {
        var minInterval = TimeSpan.FromSeconds(1);
        await using var provider = await TestIdentityProvider.StartAsync(Ct);
        using var rogue = TestSigningKey.Rs256("unused");
        using var service = new OidcProbe(provider, ("Auth:MetadataRefreshMinInterval", minInterval.ToString()));
        Assert.Equal(StatusCode.OK, (await service.CallAsync(provider.Mint("alice", Read), Ct)).Code);
        var fetchesBefore = provider.JwksRequests;

        // Several minimum intervals long, so the bound below is about the throttle, not the flood's start.
        var floodLength = TimeSpan.FromSeconds(3);
        var flood = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async worker =>
        {
            var codes = new List<StatusCode>();
            for (var i = 0; flood.Elapsed < floodLength; i++)
            {
                using var madeUp = TestSigningKey.Es256($"made-up-{worker}-{i}");
                codes.Add((await service.CallAsync(provider.Mint("mallory", Read, key: madeUp), Ct)).Code);
            }

            return codes;
        }));
        var duration = flood.Elapsed;
        var fetches = provider.JwksRequests - fetchesBefore;

        output.WriteLine($"{results.Sum(r => r.Count)} calls with made-up kids in {duration.TotalMilliseconds:F0} ms: {fetches} JWKS fetches (at most one per {minInterval.TotalSeconds} s)");
        Assert.All(results.SelectMany(r => r), code => Assert.Equal(StatusCode.Unauthenticated, code));
        // At most one fetch per minimum interval, plus the one the flood may start at once.
        Assert.InRange(fetches, 0, (int)(duration / minInterval) + 1);
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(OutageMode.ServerError)]
    [InlineData(OutageMode.ConnectionReset)]
    public async Task Start_ProviderFailsTwiceThenServes_BackchannelRetriesAndFirstCallServed(OutageMode fault)
    {
        await using var provider = await TestIdentityProvider.StartAsync(Ct);
        provider.FailNext(2, fault);
        using var service = new OidcProbe(provider, ("Auth:MetadataTimeout", "00:00:05"));

        var first = await service.CallAsync(provider.Mint("alice", Read), Ct);

        Assert.Equal(StatusCode.OK, first.Code);
        // Two failed attempts and the one that got the document, in one fetch (the Polly policy's retries).
        Assert.Equal(3, provider.DiscoveryRequests);
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(0)]
    [InlineData(2)]
    public async Task ListUsers_CachedTokenPastExp_NeverAcceptedAfterExpPlusClockSkew(int skewSeconds)
    {
        await using var provider = await TestIdentityProvider.StartAsync(Ct);
        using var service = new OidcProbe(provider, ("Auth:ClockSkew", TimeSpan.FromSeconds(skewSeconds).ToString()));
        Assert.Equal(StatusCode.OK, (await service.CallAsync(provider.Mint("warm-up", Read), Ct)).Code); // the host is up
        var issuedAt = DateTimeOffset.UtcNow;
        var lifetime = TimeSpan.FromSeconds(3);
        var token = provider.Mint("alice", Read, lifetime: lifetime, issuedAt: issuedAt);
        // exp is whole seconds: the token's last accepted instant is exp + skew.
        var limit = DateTimeOffset.FromUnixTimeSeconds((issuedAt + lifetime).ToUnixTimeSeconds() + skewSeconds);

        var acceptedPastLimit = 0;
        var acceptedPastExp = 0;
        (StatusCode Code, string Detail, TimeSpan Elapsed) last = default;
        await Eventually.WaitAsync(async () =>
        {
            var started = DateTimeOffset.UtcNow;
            last = await service.CallAsync(token, Ct);
            acceptedPastLimit += last.Code == StatusCode.OK && started > limit ? 1 : 0;
            acceptedPastExp += last.Code == StatusCode.OK && started > limit.AddSeconds(-skewSeconds) ? 1 : 0;
            return last.Code != StatusCode.OK;
        }, "the token to expire");

        output.WriteLine($"skew {skewSeconds} s: refused {(DateTimeOffset.UtcNow - limit).TotalMilliseconds:F0} ms after exp + skew; {acceptedPastExp} calls accepted after exp");
        Assert.Equal(StatusCode.Unauthenticated, last.Code);
        Assert.Contains("expired", last.Detail, StringComparison.Ordinal);
        Assert.Equal(0, acceptedPastLimit);
        if (skewSeconds > 0)
        {
            Assert.True(acceptedPastExp > 0, "the clock skew should let the token through shortly after exp");
        }
    }
}
