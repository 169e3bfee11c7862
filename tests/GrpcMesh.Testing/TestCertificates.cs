using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GrpcMesh.Testing;

/// <summary>
/// Throwaway PKI written as PEM files: a CA, a server certificate for 127.0.0.1/localhost and a client certificate,
/// both issued by the CA. Deleted on dispose.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly TempDirectory _directory = new("grpcmesh-certs");

    public TestCertificates(string name = "GrpcMesh Test")
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN={name} CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        CaPath = Write("ca.crt", ca.ExportCertificatePem());

        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        (ServerCertificatePath, ServerKeyPath) = Issue(ca, "server", "CN=localhost", "1.3.6.1.5.5.7.3.1", san.Build());
        (ClientCertificatePath, ClientKeyPath) = Issue(ca, "client", "CN=grpcmesh-test-client", "1.3.6.1.5.5.7.3.2", null);
    }

    public string CaPath { get; }

    public string ServerCertificatePath { get; }

    public string ServerKeyPath { get; }

    public string ClientCertificatePath { get; }

    public string ClientKeyPath { get; }

    public void Dispose() => _directory.Dispose();

    private (string Certificate, string Key) Issue(X509Certificate2 ca, string file, string subject, string usageOid, X509Extension? san)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usageOid)], false));
        if (san is not null)
        {
            request.CertificateExtensions.Add(san);
        }

        using var certificate = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(16));
        return (Write(file + ".crt", certificate.ExportCertificatePem()), Write(file + ".key", key.ExportPkcs8PrivateKeyPem()));
    }

    private string Write(string file, string pem)
    {
        var path = System.IO.Path.Combine(_directory.Path, file);
        File.WriteAllText(path, pem);
        return path;
    }
}
