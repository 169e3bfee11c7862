namespace GrpcMesh.Clients.Auth;

/// <summary>
/// Supplies the bearer token a client attaches to each call attempt (<c>authorization: Bearer …</c>). Register one as a
/// keyed singleton under the client's name (e.g. <c>GrpcMeshClientNames.UserService</c>); it wins over
/// <c>Clients:&lt;Service&gt;:Auth:Token</c>. Called per attempt: cache and refresh the token inside.
/// </summary>
public interface ICallTokenProvider
{
    /// <summary>The token without the "Bearer " prefix; null sends no authorization header.</summary>
    ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken);
}
