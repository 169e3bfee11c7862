using GrpcMesh.Clients.Auth;
using GrpcMesh.ServiceDefaults.Auth;

namespace GrpcMesh.Bench.RelayServer;

/// <summary>
/// The relay's own service token for its UserService calls, minted once with this process's <c>Auth:SigningKey</c>
/// and kept for the run (a day) — in both modes, so neither pays for minting. Resilient mode hands it to
/// GrpcMesh.Clients as the keyed <see cref="ICallTokenProvider"/>; raw mode sends it in a header built once.
/// </summary>
public sealed class RelayCredential(ServiceTokenIssuer issuer) : ICallTokenProvider
{
    public const string Scopes = "users.read";

    private readonly Lazy<string?> _token = new(() => issuer.CanIssue ? issuer.Issue("grpcmesh-bench-relay", [Scopes], TimeSpan.FromDays(1)) : null);

    public string? Token => _token.Value;

    public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_token.Value);
}
