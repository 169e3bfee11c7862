using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Auth;

/// <summary>
/// Validated tokens by their <c>authorization</c> header value, each kept until its <c>exp</c> + <c>Auth:ClockSkew</c>
/// (exactly as long as validation accepts it, never longer) or until the identity provider drops the key that signed
/// it: a token's signature and claims are checked once, later calls cost one dictionary lookup. Bounded by <c>Auth:TokenCacheSize</c>: when
/// full, expired entries are swept; if it is still full, new tokens are validated on every call instead of cached.
/// </summary>
internal sealed class ValidatedTokenCache(IOptions<AuthOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ValidatedToken> _tokens = new(StringComparer.Ordinal);
    private readonly int _capacity = options.Value.TokenCacheSize;
    private readonly long _skewSeconds = (long)options.Value.ClockSkew.TotalSeconds;
    private readonly Lock _sweep = new();

    public int Count => _tokens.Count;

    public bool TryGet(string header, out ValidatedToken token)
    {
        if (_tokens.TryGetValue(header, out token!))
        {
            if (!Expired(token, time.GetUtcNow().ToUnixTimeSeconds()))
            {
                return true;
            }

            _tokens.TryRemove(header, out _);
        }

        return false;
    }

    public void Add(string header, ValidatedToken token)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (Expired(token, now))
        {
            return;
        }

        if (_tokens.Count >= _capacity)
        {
            SweepExpired(now);
            if (_tokens.Count >= _capacity)
            {
                return;
            }
        }

        _tokens[header] = token;
    }

    /// <summary>Evicts the tokens signed by keys the identity provider no longer publishes.</summary>
    public void RemoveSignedBy(IReadOnlySet<string> keyIds) => RemoveWhere(token => token.KeyId is { } keyId && keyIds.Contains(keyId));

    /// <summary>Validation's own rule: a token is accepted until exp + <c>Auth:ClockSkew</c>.</summary>
    private bool Expired(ValidatedToken token, long now) => token.ExpiresUnixSeconds + _skewSeconds <= now;

    private void SweepExpired(long now)
    {
        lock (_sweep)
        {
            RemoveWhere(token => Expired(token, now));
        }
    }

    private void RemoveWhere(Func<ValidatedToken, bool> match)
    {
        foreach (var (key, value) in _tokens)
        {
            if (match(value))
            {
                _tokens.TryRemove(key, out _);
            }
        }
    }
}
