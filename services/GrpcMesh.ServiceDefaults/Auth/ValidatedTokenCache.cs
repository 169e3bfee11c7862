using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Auth;

/// <summary>
/// Validated tokens by their <c>authorization</c> header value, each kept until its <c>exp</c>: a token's signature
/// and claims are checked once, later calls cost one dictionary lookup. Bounded by <c>Auth:TokenCacheSize</c>: when
/// full, expired entries are swept; if it is still full, new tokens are validated on every call instead of cached.
/// </summary>
internal sealed class ValidatedTokenCache(IOptions<AuthOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ValidatedToken> _tokens = new(StringComparer.Ordinal);
    private readonly int _capacity = options.Value.TokenCacheSize;
    private readonly Lock _sweep = new();

    public int Count => _tokens.Count;

    public bool TryGet(string header, out ValidatedToken token)
    {
        if (_tokens.TryGetValue(header, out token!))
        {
            if (token.ExpiresUnixSeconds > time.GetUtcNow().ToUnixTimeSeconds())
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
        if (token.ExpiresUnixSeconds <= now)
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

    private void SweepExpired(long now)
    {
        lock (_sweep)
        {
            foreach (var (key, value) in _tokens)
            {
                if (value.ExpiresUnixSeconds <= now)
                {
                    _tokens.TryRemove(key, out _);
                }
            }
        }
    }
}
