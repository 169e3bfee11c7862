using System.ComponentModel.DataAnnotations;
using System.Net;

namespace GrpcMesh.ServiceDefaults.Edge;

/// <summary>
/// The <c>Http</c> configuration section: the HTTP edge for callers that cannot speak gRPC over HTTP/2 — the JSON API
/// (gRPC JSON transcoding of the <c>google.api.http</c> routes), gRPC-Web for browsers and the OpenAPI document — on its
/// own HTTP/1.1 (and, with TLS, HTTP/2) listener, so the gRPC port stays h2c-only.
/// </summary>
public sealed class HttpEdgeOptions : IValidatableObject
{
    public const string SectionName = "Http";

    /// <summary>Port of the HTTP edge. Unset: no edge (gRPC only); 0: any free port.</summary>
    [Range(0, 65535)]
    public int? Port { get; set; }

    /// <summary>Address the HTTP edge binds to.</summary>
    [Required]
    public string Address { get; set; } = "0.0.0.0";

    /// <summary>HTTPS with the service's <c>Tls:CertificatePath</c>/<c>KeyPath</c> (HTTP/1.1 and HTTP/2 by ALPN); false: plaintext HTTP/1.1.</summary>
    public bool UseTls { get; set; }

    /// <summary>gRPC-Web (binary and text) on the edge, for browsers.</summary>
    public bool GrpcWeb { get; set; } = true;

    /// <summary>The OpenAPI document of the JSON API at <see cref="HttpEdge.OpenApiPath"/>.</summary>
    public bool OpenApi { get; set; } = true;

    /// <summary>
    /// Origins browsers may call the edge from (CORS), e.g. <c>https://app.example.com</c>; <c>*</c> allows any. Empty:
    /// same-origin only. Allowed origins may send any header and read grpc-status, grpc-message and grpc-status-details-bin.
    /// </summary>
    public string[] CorsOrigins { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(Address, out _))
        {
            yield return new ValidationResult($"Http:Address '{Address}' is not an IP address", [nameof(Address)]);
        }

        foreach (var origin in CorsOrigins)
        {
            if (origin != "*" && !(Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.AbsolutePath == "/" && origin.TrimEnd('/') == origin))
            {
                yield return new ValidationResult(
                    $"Http:CorsOrigins '{origin}' is not an origin (scheme://host[:port], no path or trailing slash) or '*'", [nameof(CorsOrigins)]);
            }
        }
    }
}
