using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Grpc.Net.Client.Balancer;

namespace GrpcMesh.Clients.Target;

/// <summary>
/// A client's <c>Address</c>, parsed once: every part of the library that needs to know what the address names reads it
/// from here. Forms: <c>http://host:port</c> / <c>https://host:port</c> (one endpoint, not balanced),
/// <c>dns:///host:port</c> (every address of the name, re-resolved) and <c>static:///host1:port1,host2:port2</c> (a fixed
/// list; IPv6 literals in brackets, <c>[::1]:6001</c>).
/// </summary>
internal sealed class ClientTarget
{
    public const string DnsScheme = "dns";
    public const string StaticScheme = "static";

    private ClientTarget(Uri address, TargetKind kind, bool useTls, string? tlsHost, IReadOnlyList<BalancerAddress> staticEndpoints)
    {
        Address = address;
        Kind = kind;
        UseTls = useTls;
        TlsHost = tlsHost;
        StaticEndpoints = staticEndpoints;
        Key = address.OriginalString.TrimEnd('/');
    }

    /// <summary>The address as configured; what the gRPC channel is created for.</summary>
    public Uri Address { get; }

    public TargetKind Kind { get; }

    /// <summary>The client balances calls over several endpoints (<c>dns:///</c> or <c>static:///</c>).</summary>
    public bool IsBalanced => Kind != TargetKind.Direct;

    /// <summary>Calls go over TLS: an <c>https://</c> address, or a balanced one with <c>UseTls</c>.</summary>
    public bool UseTls { get; }

    /// <summary>The name a <c>dns:///</c> address resolves, which its endpoints' certificates are issued for; null otherwise.</summary>
    public string? TlsHost { get; }

    /// <summary>The endpoints of a <c>static:///</c> address; empty for the other forms.</summary>
    public IReadOnlyList<BalancerAddress> StaticEndpoints { get; }

    /// <summary>The address as a telemetry tag and the key of per-target state (budget, breaker, endpoints), e.g. <c>http://127.0.0.1:5001</c>.</summary>
    public string Key { get; }

    public override string ToString() => Key;

    /// <summary>Parses <paramref name="address"/>; throws <see cref="FormatException"/> with the same message validation gives.</summary>
    public static ClientTarget Parse(Uri address, bool useTls) =>
        TryParse(address, useTls, out var target, out var error) ? target : throw new FormatException(error);

    /// <summary>
    /// Parses <paramref name="address"/>; on failure <paramref name="error"/> names the setting (<c>Address</c> or
    /// <c>UseTls</c>) and what to change.
    /// </summary>
    public static bool TryParse(Uri address, bool useTls, [NotNullWhen(true)] out ClientTarget? target, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(address);
        target = null;
        if (!address.IsAbsoluteUri || address.Scheme is not ("http" or "https" or DnsScheme or StaticScheme))
        {
            error = $"Address '{address}' must be an absolute http://, https://, dns:///host:port or static:///host1:port1,host2:port2 URI.";
            return false;
        }

        switch (address.Scheme)
        {
            case "http" or "https":
                if (useTls)
                {
                    error = $"UseTls applies to dns:/// and static:/// addresses; for '{address}' use the https:// scheme instead.";
                    return false;
                }

                target = new ClientTarget(address, TargetKind.Direct, address.Scheme == "https", null, []);
                error = null;
                return true;
            case DnsScheme:
                var name = address.OriginalString.StartsWith("dns:///", StringComparison.OrdinalIgnoreCase) ? address.AbsolutePath.Trim('/') : "";
                if (name.Length == 0)
                {
                    error = $"Address '{address}' must be of the form dns:///host:port (three slashes, then the name to resolve).";
                    return false;
                }

                target = new ClientTarget(address, TargetKind.Dns, useTls, HostOf(name), []);
                error = null;
                return true;
            default:
                if (!TryParseStatic(address.OriginalString, out var endpoints, out var staticError))
                {
                    error = $"Address {staticError}";
                    return false;
                }

                target = new ClientTarget(address, TargetKind.Static, useTls, null, endpoints);
                error = null;
                return true;
        }
    }

    private static string HostOf(string name)
    {
        var colon = name.LastIndexOf(':');
        return colon > 0 && !name.EndsWith(']') ? name[..colon] : name;
    }

    private static bool TryParseStatic(string text, out IReadOnlyList<BalancerAddress> endpoints, [NotNullWhen(false)] out string? error)
    {
        const string prefix = "static:///";
        endpoints = [];
        if (!text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{text}' is not of the form static:///host1:port1,host2:port2 (three slashes, then the endpoints).";
            return false;
        }

        var list = text[prefix.Length..];
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
