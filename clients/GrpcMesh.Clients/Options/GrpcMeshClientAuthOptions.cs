namespace GrpcMesh.Clients.Options;

/// <summary>The credential of a client (<c>Clients:&lt;Service&gt;:Auth</c>).</summary>
public sealed class GrpcMeshClientAuthOptions
{
    /// <summary>A fixed bearer token sent on every call; a keyed <c>ICallTokenProvider</c> registered under the client's name wins over it.</summary>
    public string? Token { get; set; }
}
