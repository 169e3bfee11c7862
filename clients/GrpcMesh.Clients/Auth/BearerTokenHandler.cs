using System.Net.Http.Headers;

namespace GrpcMesh.Clients.Auth;

/// <summary>
/// Adds the client's credential to every HTTP request (each retry attempt is one), over TLS and h2c alike — gRPC
/// call credentials would refuse a plaintext channel, and in-cluster h2c is the default here.
/// </summary>
internal sealed class BearerTokenHandler(ICallTokenProvider? tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (tokens is not null && request.Headers.Authorization is null
            && await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
