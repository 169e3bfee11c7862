using System.Net;

namespace GrpcMesh.Clients.Target;

/// <summary>The <c>host:port</c> text that names an endpoint in metrics, logs and the endpoint table (IPv6 in brackets).</summary>
internal static class EndpointKey
{
    public static string Of(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]:{port}" : $"{host}:{port}";

    public static string Of(DnsEndPoint endpoint) => Of(endpoint.Host, endpoint.Port);

    /// <summary>The endpoint a request was sent to (the balancer rewrites the request URI to the picked endpoint).</summary>
    public static string Of(Uri requestUri) => Of(requestUri.Host, requestUri.Port);
}
