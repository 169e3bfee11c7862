using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using GrpcMesh.Reliability.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Oidc;
using GrpcMesh.UserService.Grpc;

namespace GrpcMesh.Reliability.Tests.Auth;

/// <summary>
/// The identity provider unreachable: tokens under keys the service already has keep working and no call waits on the
/// provider longer than <c>Auth:MetadataTimeout</c>. The outage lasts <c>GRPCMESH_OIDC_OUTAGE_SECONDS</c> (default 10 s
/// for a hanging provider, 3 s for the others) so a longer one can be measured by hand.
/// </summary>
public sealed class OidcOutageTests(ITestOutputHelper output)
{
    private static readonly string[] Read = [UserServiceScopes.Read];
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(OutageMode.Hang)]
    [InlineData(OutageMode.ServerError)]
    [InlineData(OutageMode.ConnectionReset)]
    public async Task ProviderOutage_KnownKeysKeepWorkingUnknownKidRefusedWithinTimeout_NewKeyAcceptedAfterRecovery(OutageMode mode)
    {
        var length = OutageLength(mode);
        await using var provider = await TestIdentityProvider.StartAsync(Ct);
        using var madeUp = TestSigningKey.Es256("never-published");
        // Fetching every second keeps the provider asked throughout the outage: the worst case for the calls.
        using var service = new OidcProbe(provider,
            ("Auth:MetadataRefreshInterval", "00:00:01"), ("Auth:MetadataRefreshMinInterval", "00:00:01"),
            ("Auth:MetadataTimeout", MetadataTimeout.ToString()));
        var cached = provider.Mint("alice", Read, lifetime: TimeSpan.FromMinutes(10));
        Assert.Equal(StatusCode.OK, (await service.CallAsync(cached, Ct)).Code);

        provider.Outage = mode;
        var known = new Tally();
        var unknown = new Tally();
        var outage = Stopwatch.StartNew();
        while (outage.Elapsed < length)
        {
            known.Add(await service.CallAsync(cached, Ct));
            known.Add(await service.CallAsync(provider.Mint("bob", Read), Ct)); // new token, known key: validated, not cached
            unknown.Add(await service.CallAsync(provider.Mint("mallory", Read, key: madeUp), Ct));
        }

        var requestsDuringOutage = provider.DiscoveryRequests;
        provider.Outage = OutageMode.None;
        var recovered = Stopwatch.StartNew();
        provider.Publish(TestSigningKey.Rs256("rs-after-outage"), signWith: true);
        var refusedAfterRecovery = 0;
        await Eventually.WaitAsync(async () =>
        {
            var ok = (await service.CallAsync(provider.Mint("alice", Read), Ct)).Code == StatusCode.OK;
            refusedAfterRecovery += ok ? 0 : 1;
            return ok;
        }, "a token of the key published after the outage to be accepted");
        var acceptedAfter = recovered.Elapsed;

        output.WriteLine($"{mode} outage of {outage.Elapsed.TotalSeconds:F1} s ({requestsDuringOutage} discovery requests in all): " +
            $"known-key calls {known.Ok} OK / {known.Refused} refused (max {known.Max.TotalMilliseconds:F0} ms); " +
            $"unknown-kid calls {unknown.Ok} OK / {unknown.Refused} refused (max {unknown.Max.TotalMilliseconds:F0} ms); " +
            $"after recovery a new key's token accepted in {acceptedAfter.TotalMilliseconds:F0} ms ({refusedAfterRecovery} refused first)");
        Assert.Equal(0, known.Refused);
        Assert.Equal(0, unknown.Ok);
        Assert.Equal([StatusCode.Unauthenticated], unknown.Codes);
        // Bound: Auth:MetadataTimeout (1 s) is the longest any call waits on the provider; 3 s margin for a loaded machine
        // (a wait on the provider would be the outage's length, 10 s in CI).
        Assert.True(known.Max < MetadataTimeout + TimeSpan.FromSeconds(3), $"a known-key call took {known.Max}");
        Assert.True(unknown.Max < MetadataTimeout + TimeSpan.FromSeconds(3), $"an unknown-kid call took {unknown.Max}");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListUsers_ProviderDownAtStart_UnavailableWithinTimeoutThenServedOnceUp()
    {
        await using var provider = await TestIdentityProvider.StartAsync(Ct);
        provider.Outage = OutageMode.ConnectionReset;
        using var service = new OidcProbe(provider,
            ("Auth:MetadataRefreshMinInterval", "00:00:01"), ("Auth:MetadataTimeout", MetadataTimeout.ToString()));

        var down = await service.CallAsync(provider.Mint("alice", Read), Ct);
        provider.Outage = OutageMode.None;
        await Eventually.WaitAsync(async () => (await service.CallAsync(provider.Mint("alice", Read), Ct)).Code == StatusCode.OK,
            "a call to be served once the provider is up");

        Assert.Equal(StatusCode.Unavailable, down.Code);
        Assert.Contains("identity provider", down.Detail, StringComparison.Ordinal);
        // Bound: Auth:MetadataTimeout (1 s) plus 3 s margin for a loaded machine (the host's first call).
        Assert.True(down.Elapsed < MetadataTimeout + TimeSpan.FromSeconds(3), $"took {down.Elapsed}");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListUsers_SigningKeyBesideAuthorityProviderDown_SigningKeyTokenServedProviderTokenUnavailable()
    {
        var tokens = new TestTokens();
        await using var provider = await TestIdentityProvider.StartAsync(Ct);
        provider.Outage = OutageMode.ConnectionReset;
        using var service = new OidcProbe(provider,
            ("Auth:SigningKey", tokens.SigningKey), ("Auth:Issuer", "grpcmesh"), ("Auth:MetadataTimeout", MetadataTimeout.ToString()));

        var signingKeyToken = await service.CallAsync(tokens.Create("grpcmesh-orderservice", Read), Ct);
        var providerToken = await service.CallAsync(provider.Mint("alice", Read), Ct);

        Assert.Equal(StatusCode.OK, signingKeyToken.Code);
        Assert.Equal(StatusCode.Unavailable, providerToken.Code);
    }

    private static TimeSpan OutageLength(OutageMode mode) =>
        Environment.GetEnvironmentVariable("GRPCMESH_OIDC_OUTAGE_SECONDS") is { Length: > 0 } seconds
            ? TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture))
            : TimeSpan.FromSeconds(mode == OutageMode.Hang ? 10 : 3);

    private sealed class Tally
    {
        public int Ok { get; private set; }

        public int Refused { get; private set; }

        public TimeSpan Max { get; private set; }

        public SortedSet<StatusCode> Codes { get; } = [];

        public void Add((StatusCode Code, string Detail, TimeSpan Elapsed) call)
        {
            if (call.Code == StatusCode.OK)
            {
                Ok++;
            }
            else
            {
                Refused++;
                Codes.Add(call.Code);
            }

            Max = call.Elapsed > Max ? call.Elapsed : Max;
        }
    }
}
