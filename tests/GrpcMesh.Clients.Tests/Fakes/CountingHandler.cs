using System.Collections.Concurrent;

namespace GrpcMesh.Clients.Tests.Fakes;

/// <summary>An HTTP handler that counts the requests passing through the client's handler chain and keeps each one's grpc-timeout.</summary>
public sealed class CountingHandler : DelegatingHandler
{
    private readonly ConcurrentQueue<TimeSpan?> _timeouts = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>The grpc-timeout of each request in the order they were sent (null: none or unreadable).</summary>
    public IReadOnlyList<TimeSpan?> SentTimeouts => [.. _timeouts];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        _timeouts.Enqueue(request.Headers.TryGetValues("grpc-timeout", out var values)
            && GrpcTimeoutHeader.TryParse(values.FirstOrDefault(), out var timeout) ? timeout : null);
        return base.SendAsync(request, cancellationToken);
    }
}
