namespace GrpcMesh.Clients.Tests.Fakes;

/// <summary>An HTTP handler that counts the requests passing through the client's handler chain.</summary>
public sealed class CountingHandler : DelegatingHandler
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        return base.SendAsync(request, cancellationToken);
    }
}
