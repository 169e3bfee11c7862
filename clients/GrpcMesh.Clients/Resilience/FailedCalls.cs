using Grpc.Core;

namespace GrpcMesh.Clients.Resilience;

/// <summary>Calls that fail at once with a status, without a request (fail-fast deadline, open circuit).</summary>
internal static class FailedCalls
{
    public static AsyncUnaryCall<TResponse> Unary<TResponse>(RpcException error) =>
        new(Task.FromException<TResponse>(error), Headers(error), () => error.Status, () => error.Trailers, static () => { });

    public static AsyncServerStreamingCall<TResponse> ServerStreaming<TResponse>(RpcException error) =>
        new(new FailedStreamReader<TResponse>(error), Headers(error), () => error.Status, () => error.Trailers, static () => { });

    public static AsyncClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(RpcException error) =>
        new(new FailedStreamWriter<TRequest>(error), Task.FromException<TResponse>(error), Headers(error), () => error.Status, () => error.Trailers, static () => { });

    public static AsyncDuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(RpcException error) =>
        new(new FailedStreamWriter<TRequest>(error), new FailedStreamReader<TResponse>(error), Headers(error), () => error.Status, () => error.Trailers, static () => { });

    private static Task<Metadata> Headers(RpcException error)
    {
        var headers = Task.FromException<Metadata>(error);
        _ = headers.Exception; // observed: callers rarely await the headers of a failed call
        return headers;
    }

    private sealed class FailedStreamReader<T>(RpcException error) : IAsyncStreamReader<T>
    {
        public T Current => throw new InvalidOperationException("The call failed before a message was received.");

        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromException<bool>(error);
    }

    private sealed class FailedStreamWriter<T>(RpcException error) : IClientStreamWriter<T>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task CompleteAsync() => Task.CompletedTask;

        public Task WriteAsync(T message) => Task.FromException(error);
    }
}
