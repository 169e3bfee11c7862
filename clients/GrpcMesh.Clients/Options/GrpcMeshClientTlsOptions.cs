namespace GrpcMesh.Clients.Options;

/// <summary>TLS of a client (<c>Clients:&lt;Service&gt;:Tls</c>): which servers to trust and, for mTLS, the client's own certificate.</summary>
public sealed class GrpcMeshClientTlsOptions
{
    /// <summary>PEM file of CA certificates trusted for the server's certificate, in addition to the system store.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>PEM certificate presented to servers that require client certificates (mTLS).</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertificatePath"/>.</summary>
    public string? ClientKeyPath { get; set; }
}
