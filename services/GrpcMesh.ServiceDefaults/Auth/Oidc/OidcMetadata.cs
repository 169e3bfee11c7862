using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace GrpcMesh.ServiceDefaults.Auth.Oidc;

/// <summary>
/// The discovery document and signing keys of <c>Auth:Authority</c>, handed to JwtBearer as its configuration manager.
/// Unlike the stock manager, a call never waits on the identity provider while it has keys: fetches run in the
/// background (<see cref="OidcMetadataRefresher"/> every <c>Auth:MetadataRefreshInterval</c>; at once for a token with an
/// unknown <c>kid</c>, at most once per <c>Auth:MetadataRefreshMinInterval</c>), and a call that does need them (unknown
/// <c>kid</c>, no keys yet) waits at most <c>Auth:MetadataTimeout</c>. A failed fetch keeps the last keys; a fetch that
/// drops a key evicts the cached tokens it signed.
/// </summary>
/// <remarks>
/// Real time, not the service's <see cref="TimeProvider"/>: these bound waits on another process (like gRPC deadlines),
/// which happen in real time whatever a test's fake clock says.
/// </remarks>
internal sealed partial class OidcMetadata : IConfigurationManager<OpenIdConnectConfiguration>
{
    public const string BackchannelName = "GrpcMesh.Auth.Oidc";

    private static readonly Task<bool> NoFetch = Task.FromResult(false);
    private static readonly Task<OpenIdConnectConfiguration> NoConfiguration = Task.FromResult(new OpenIdConnectConfiguration());

    private readonly AuthOptions _options;
    private readonly IHttpClientFactory _http;
    private readonly ValidatedTokenCache _cache;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly ILogger<OidcMetadata> _logger;
    private readonly Lock _gate = new();
    private volatile Snapshot? _current;
    private Task<bool>? _fetch;
    private long _lastFetchStarted;
    private bool _fetchedBefore;

    public OidcMetadata(
        IOptions<AuthOptions> options, IHttpClientFactory http, ValidatedTokenCache cache, ILogger<OidcMetadata> logger)
    {
        _options = options.Value;
        Address = DiscoveryAddress(_options.Authority ?? throw new InvalidOperationException("Auth:Authority is not set"));
        _http = http;
        _cache = cache;
        _logger = logger;
    }

    /// <summary>The discovery document's address.</summary>
    public string Address { get; }

    public bool HasKeys => _current is not null;

    public static string DiscoveryAddress(string authority) => authority.TrimEnd('/') + "/.well-known/openid-configuration";

    /// <summary>The issuer of the last discovery document fetched (null before the first).</summary>
    public string? Issuer => _current?.Task.Result.Issuer; // a completed task: Result does not wait

    public bool Knows(string keyId) => _current?.KeyIds.Contains(keyId) == true;

    /// <summary>
    /// The last fetched configuration, without waiting (callers that need it wait first, see <see cref="FetchAndWaitAsync"/>);
    /// before the first fetch an empty one, so tokens under <c>Auth:SigningKey</c> still validate.
    /// </summary>
    public Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel) => _current?.Task ?? NoConfiguration;

    /// <summary>JwtBearer asks for this when no key matched: a background fetch, subject to the minimum interval.</summary>
    public void RequestRefresh() => StartFetch(force: false);

    /// <summary>
    /// No keys yet, or a token names a key not known (a rotation shows at once): fetch unless one ran lately, and wait at
    /// most <c>Auth:MetadataTimeout</c>; a fetch still running then goes on in the background.
    /// </summary>
    public async Task FetchAndWaitAsync(CancellationToken cancel)
    {
        try
        {
            await StartFetch(force: false).WaitAsync(_options.MetadataTimeout, _time, cancel).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // This call proceeds with the keys there are.
        }
    }

    /// <summary>The periodic fetch: true when it succeeded.</summary>
    public Task<bool> RefreshAsync() => StartFetch(force: true);

    private Task<bool> StartFetch(bool force)
    {
        lock (_gate)
        {
            if (_fetch is { IsCompleted: false })
            {
                return _fetch;
            }

            if (!force && _fetchedBefore && _time.GetElapsedTime(_lastFetchStarted) < _options.MetadataRefreshMinInterval)
            {
                return NoFetch;
            }

            _fetchedBefore = true;
            _lastFetchStarted = _time.GetTimestamp();
            return _fetch = Task.Run(FetchAsync);
        }
    }

    private async Task<bool> FetchAsync()
    {
        OpenIdConnectConfiguration configuration;
        try
        {
            // A client per fetch, so the factory's handler rotation (DNS changes) applies to a process that runs for months.
            var retriever = new HttpDocumentRetriever(_http.CreateClient(BackchannelName)) { RequireHttps = _options.RequireHttpsMetadata };
            configuration = await OpenIdConnectConfigurationRetriever.GetAsync(Address, retriever, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or InvalidOperationException or ArgumentException
            or TaskCanceledException or System.Text.Json.JsonException)
        {
            LogFetchFailed(_logger, Address, _current is null ? "no keys yet: calls get UNAVAILABLE" : "the last keys stay in use", ex.Message);
            return false;
        }

        var keyIds = configuration.SigningKeys.Select(k => k.KeyId).OfType<string>().ToFrozenSet(StringComparer.Ordinal);
        var previous = _current;
        _current = new Snapshot(Task.FromResult(configuration), keyIds);
        if (previous is null)
        {
            LogKeysLoaded(_logger, Address, string.Join(", ", keyIds));
        }
        else if (!previous.KeyIds.SetEquals(keyIds))
        {
            var removed = previous.KeyIds.Except(keyIds).ToFrozenSet(StringComparer.Ordinal);
            if (removed.Count > 0)
            {
                _cache.RemoveSignedBy(removed);
            }

            LogKeysChanged(_logger, Address, string.Join(", ", keyIds.Except(previous.KeyIds)), string.Join(", ", removed));
        }

        return true;
    }

    private sealed record Snapshot(Task<OpenIdConnectConfiguration> Task, FrozenSet<string> KeyIds);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "Identity provider keys loaded from {Address}: {KeyIds}")]
    private static partial void LogKeysLoaded(ILogger logger, string address, string keyIds);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Information, Message = "Identity provider keys changed at {Address}: added [{Added}], removed [{Removed}]")]
    private static partial void LogKeysChanged(ILogger logger, string address, string added, string removed);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Warning, Message = "Identity provider metadata fetch from {Address} failed ({Consequence}): {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, string address, string consequence, string reason);
}
