using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using GrpcMesh.Clients.Options;

namespace GrpcMesh.Clients.Tls;

/// <summary>Applies <see cref="GrpcMeshClientTlsOptions"/> to a <see cref="SocketsHttpHandler"/>.</summary>
internal static class ClientTls
{
    public static void Apply(SocketsHttpHandler handler, GrpcMeshClientTlsOptions tls)
    {
        if (!string.IsNullOrWhiteSpace(tls.ClientCertificatePath))
        {
            var certificate = X509Certificate2.CreateFromPemFile(tls.ClientCertificatePath, tls.ClientKeyPath);
            handler.SslOptions.ClientCertificates = [certificate];
        }

        if (string.IsNullOrWhiteSpace(tls.CaCertificatePath))
        {
            return;
        }

        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(tls.CaCertificatePath);
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            errors == SslPolicyErrors.None || (errors == SslPolicyErrors.RemoteCertificateChainErrors && ChainsTo(certificate, roots));
    }

    /// <summary>The server certificate chains to one of <paramref name="roots"/> (host name was already checked by SslStream).</summary>
    private static bool ChainsTo(X509Certificate? certificate, X509Certificate2Collection roots)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }
}
