using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace GrpcMesh.ServiceDefaults.Tls;

/// <summary>
/// The <c>Tls</c> section: certificate of every HTTPS endpoint (e.g. <c>--urls https://0.0.0.0:5001</c>) unless the
/// endpoint names its own (<c>Kestrel:Endpoints:&lt;name&gt;:Certificate</c>), and client certificates for mTLS.
/// </summary>
public sealed class TlsOptions : IValidatableObject
{
    public const string SectionName = "Tls";

    /// <summary>PEM certificate (chain) of the server.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; set; }

    /// <summary><c>NoCertificate</c> (default), <c>AllowCertificate</c> or <c>RequireCertificate</c> (mTLS).</summary>
    public ClientCertificateMode ClientCertificateMode { get; set; } = ClientCertificateMode.NoCertificate;

    /// <summary>PEM bundle of the CAs client certificates must chain to (required with client certificates).</summary>
    public string? ClientCaPath { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(CertificatePath) != string.IsNullOrWhiteSpace(KeyPath))
        {
            yield return new ValidationResult("Tls:CertificatePath and Tls:KeyPath go together", [nameof(CertificatePath), nameof(KeyPath)]);
        }

        foreach (var (path, name) in new[] { (CertificatePath, "Tls:CertificatePath"), (KeyPath, "Tls:KeyPath"), (ClientCaPath, "Tls:ClientCaPath") })
        {
            if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
            {
                yield return new ValidationResult($"{name} '{path}' does not exist");
            }
        }

        if (ClientCertificateMode != ClientCertificateMode.NoCertificate && string.IsNullOrWhiteSpace(ClientCaPath))
        {
            yield return new ValidationResult("Tls:ClientCaPath is required when Tls:ClientCertificateMode accepts client certificates", [nameof(ClientCaPath)]);
        }
    }
}
