using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Grpc.Net.Client.Balancer;

namespace GrpcMesh.Clients.Balancing;

/// <summary>
/// The <c>static:///host1:port1,host2:port2</c> address form: a fixed list of endpoints, each <c>host:port</c> with an
/// explicit port; IPv6 literals in brackets (<c>[::1]:6001</c>).
/// </summary>
internal static class StaticAddress
{
    public const string Scheme = "static";

    private const string Prefix = "static:///";

    /// <summary>The endpoints of <paramref name="address"/>; throws <see cref="FormatException"/> naming the bad part.</summary>
    public static IReadOnlyList<BalancerAddress> Parse(Uri address) =>
        TryParse(address, out var endpoints, out var error) ? endpoints : throw new FormatException(error);

    /// <summary>Parses <paramref name="address"/>; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(Uri address, out IReadOnlyList<BalancerAddress> endpoints, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(address);
        endpoints = [];
        var text = address.OriginalString;
        if (!text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{text}' is not of the form static:///host1:port1,host2:port2 (three slashes, then the endpoints).";
            return false;
        }

        var list = text[Prefix.Length..];
        if (string.IsNullOrWhiteSpace(list))
        {
            error = $"'{text}' lists no endpoint; expected static:///host1:port1,host2:port2.";
            return false;
        }

        var parsed = new List<BalancerAddress>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in list.Split(','))
        {
            var entry = raw.Trim();
            if (!TryParseEndpoint(entry, out var host, out var port, out error))
            {
                error = $"'{text}': {error}";
                return false;
            }

            if (!seen.Add(EndpointKey.Of(host, port)))
            {
                error = $"'{text}': endpoint '{entry}' is listed twice.";
                return false;
            }

            parsed.Add(new BalancerAddress(host, port));
        }

        endpoints = parsed;
        error = null;
        return true;
    }

    private static bool TryParseEndpoint(string entry, out string host, out int port, [NotNullWhen(false)] out string? error)
    {
        host = string.Empty;
        port = 0;
        if (entry.Length == 0)
        {
            error = "an endpoint is empty (two commas in a row, or a trailing comma).";
            return false;
        }

        string portText;
        if (entry.StartsWith('['))
        {
            var close = entry.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"endpoint '{entry}' must be [ipv6]:port.";
                return false;
            }

            host = entry[1..close];
            portText = entry[(close + 2)..];
        }
        else
        {
            var colon = entry.LastIndexOf(':');
            if (colon < 0)
            {
                error = $"endpoint '{entry}' has no port; write host:port.";
                return false;
            }

            host = entry[..colon];
            portText = entry[(colon + 1)..];
            if (host.Contains(':', StringComparison.Ordinal))
            {
                error = $"endpoint '{entry}': write IPv6 addresses in brackets, [ipv6]:port.";
                return false;
            }
        }

        if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            error = $"endpoint '{entry}' has no valid host name or IP address.";
            return false;
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            error = $"endpoint '{entry}' has no valid port (1-65535).";
            return false;
        }

        error = null;
        return true;
    }
}
