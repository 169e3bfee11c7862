using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using GrpcMesh.Clients.Options;
using GrpcMesh.Reliability.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.UserService;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.Reliability.Tests.Tls;

/// <summary>TLS and mutual TLS on real Kestrel (Tls:* settings) with GrpcMesh.Clients' handler (Clients:*:Tls:*), throwaway PKI.</summary>
public sealed class TlsTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TestCertificates _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Check_ServerTlsClientTrustsCa_Serving()
    {
        using var host = StartServer(mutual: false);

        var status = await CheckAsync(host, new GrpcMeshClientTlsOptions { CaCertificatePath = _pki.CaPath });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, status);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Check_ServerTlsClientDoesNotTrustCa_HandshakeRejected()
    {
        using var host = StartServer(mutual: false);
        using var otherPki = new TestCertificates("Other");

        var ex = await Assert.ThrowsAsync<RpcException>(() => CheckAsync(host, new GrpcMeshClientTlsOptions { CaCertificatePath = otherPki.CaPath }));

        // Grpc.Net.Client reports a failed TLS handshake as INTERNAL "Error starting gRPC call".
        Assert.Contains("remote certificate was rejected", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Check_MutualTlsWithClientCertificate_Serving()
    {
        using var host = StartServer(mutual: true);

        var status = await CheckAsync(host, new GrpcMeshClientTlsOptions
        {
            CaCertificatePath = _pki.CaPath,
            ClientCertificatePath = _pki.ClientCertificatePath,
            ClientKeyPath = _pki.ClientKeyPath,
        });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, status);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Check_MutualTlsWithoutClientCertificate_Refused()
    {
        using var host = StartServer(mutual: true);

        var ex = await Assert.ThrowsAsync<RpcException>(() => CheckAsync(host, new GrpcMeshClientTlsOptions { CaCertificatePath = _pki.CaPath }));

        // A refused handshake surfaces as UNAVAILABLE or as INTERNAL "Error starting gRPC call", depending on when it breaks.
        Assert.True(ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal, $"unexpected {ex.Status}");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Check_MutualTlsClientCertificateFromAnotherCa_Refused()
    {
        using var host = StartServer(mutual: true);
        using var otherPki = new TestCertificates("Other");

        var ex = await Assert.ThrowsAsync<RpcException>(() => CheckAsync(host, new GrpcMeshClientTlsOptions
        {
            CaCertificatePath = _pki.CaPath,
            ClientCertificatePath = otherPki.ClientCertificatePath,
            ClientKeyPath = otherPki.ClientKeyPath,
        }));

        // A refused handshake surfaces as UNAVAILABLE or as INTERNAL "Error starting gRPC call", depending on when it breaks.
        Assert.True(ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal, $"unexpected {ex.Status}");
    }

    private GrpcTestHost<UserServiceMarker> StartServer(bool mutual)
    {
        var settings = HostSettings.For(null,
            ("Tls:CertificatePath", _pki.ServerCertificatePath),
            ("Tls:KeyPath", _pki.ServerKeyPath));
        if (mutual)
        {
            settings["Tls:ClientCertificateMode"] = "RequireCertificate";
            settings["Tls:ClientCaPath"] = _pki.CaPath;
        }

        var host = new GrpcTestHost<UserServiceMarker>(settings);
        var address = host.StartOnLoopback(https: true);
        Assert.Equal("https", address.Scheme);
        return host;
    }

    private static async Task<HealthCheckResponse.Types.ServingStatus> CheckAsync(GrpcTestHost<UserServiceMarker> host, GrpcMeshClientTlsOptions tls)
    {
        using var handler = GrpcMeshClientServiceCollectionExtensions.CreatePrimaryHandler(new GrpcMeshHttpOptions(), tls);
        using var channel = GrpcChannel.ForAddress(host.LoopbackAddress!, new GrpcChannelOptions { HttpHandler = handler });
        var response = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: Ct);
        return response.Status;
    }
}
