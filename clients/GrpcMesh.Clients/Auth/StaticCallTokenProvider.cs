namespace GrpcMesh.Clients.Auth;

/// <summary>A fixed token (<c>Clients:&lt;Service&gt;:Auth:Token</c>).</summary>
internal sealed class StaticCallTokenProvider(string token) : ICallTokenProvider
{
    public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(token);
}
