using System.Collections.Concurrent;
using Grpc.Core;

namespace GrpcMesh.Clients.Tests.Fakes;

/// <summary>
/// A network-free <see cref="CallInvoker"/> for interceptor unit tests: records the options of every call and fails
/// attempt n (1-based) with the exception <see cref="Script"/> returns, or answers with an empty response.
/// </summary>
public sealed class ScriptedCallInvoker : CallInvoker
{
    private readonly ConcurrentQueue<CallOptions> _calls = new();

    public Func<int, CallOptions, Exception?> Script { get; set; } = static (_, _) => null;

    public IReadOnlyList<CallOptions> Calls => [.. _calls];

    public int CallCount => _calls.Count;

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var error = Next(options);
        var response = error is null ? Task.FromResult(Activator.CreateInstance<TResponse>()) : Task.FromException<TResponse>(error);
        var status = error is RpcException rpc ? rpc.Status : Status.DefaultSuccess;
        return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => status, () => (error as RpcException)?.Trailers ?? [], () => { });
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        Next(options) is { } error ? throw error : Activator.CreateInstance<TResponse>();

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        _ = Next(options);
        return new AsyncServerStreamingCall<TResponse>(new EmptyReader<TResponse>(), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException();

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException();

    private Exception? Next(CallOptions options)
    {
        _calls.Enqueue(options);
        return Script(_calls.Count, options);
    }

    private sealed class EmptyReader<T> : IAsyncStreamReader<T>
    {
        public T Current => throw new InvalidOperationException();

        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
