using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Tls;

internal static class TlsDefaults
{
    /// <summary>Applies <c>Tls:*</c> to Kestrel's HTTPS defaults; plaintext (h2c) endpoints are unaffected.</summary>
    public static IServiceCollection AddGrpcMeshTls(this IServiceCollection services)
    {
        services.AddValidatedOptions<TlsOptions>(TlsOptions.SectionName);
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<TlsOptions>>((kestrel, options) =>
        {
            var tls = options.Value;
            X509Certificate2? certificate = string.IsNullOrWhiteSpace(tls.CertificatePath) || !File.Exists(tls.CertificatePath)
                ? null
                : X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath);
            var clientRoots = LoadRoots(tls.ClientCaPath);
            kestrel.ConfigureHttpsDefaults(https =>
            {
                if (certificate is not null)
                {
                    https.ServerCertificate = certificate;
                }

                https.ClientCertificateMode = tls.ClientCertificateMode;
                if (clientRoots is not null)
                {
                    https.ClientCertificateValidation = (client, _, _) => ChainsTo(client, clientRoots);
                }
            });
        });
        return services;
    }

    private static X509Certificate2Collection? LoadRoots(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
        {
            return null;
        }

        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(path);
        return roots;
    }

    /// <summary>The client certificate chains to one of <paramref name="roots"/> (and only those: not the system store).</summary>
    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2"));
        return chain.Build(certificate);
    }
}
