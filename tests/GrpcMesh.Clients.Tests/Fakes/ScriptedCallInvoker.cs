using System.Collections.Concurrent;
using Grpc.Core;

namespace GrpcMesh.Clients.Tests.Fakes;

/// <summary>
/// A network-free <see cref="CallInvoker"/> for interceptor unit tests: records the options of every call and fails
/// attempt n (1-based) with the exception <see cref="Script"/> returns, or answers with an empty response. Unary
/// responses are complete when the call returns, unless <see cref="AsyncCompletion"/> (they arrive after a thread-pool
/// hop, as real ones do) or <see cref="HoldUntil"/> (attempt n answers once the task it returns completes).
/// </summary>
public sealed class ScriptedCallInvoker : CallInvoker
{
    private readonly ConcurrentQueue<CallOptions> _calls = new();
    private int _count;

    public Func<int, CallOptions, Exception?> Script { get; set; } = static (_, _) => null;

    public bool AsyncCompletion { get; set; }

    public Func<int, Task?>? HoldUntil { get; set; }

    public IReadOnlyList<CallOptions> Calls => [.. _calls];

    public int CallCount => Volatile.Read(ref _count);

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var n = Record(options);
        var error = Script(n, options);
        var hold = HoldUntil?.Invoke(n);
        var response = hold is not null || AsyncCompletion
            ? RespondLaterAsync<TResponse>(error, hold)
            : error is null ? Task.FromResult(Activator.CreateInstance<TResponse>()) : Task.FromException<TResponse>(error);
        var status = error is RpcException rpc ? rpc.Status : Status.DefaultSuccess;
        return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => status, () => (error as RpcException)?.Trailers ?? [], () => { });
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        Script(Record(options), options) is { } error ? throw error : Activator.CreateInstance<TResponse>();

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        _ = Script(Record(options), options);
        return new AsyncServerStreamingCall<TResponse>(new EmptyReader<TResponse>(), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException();

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException();

    private static async Task<TResponse> RespondLaterAsync<TResponse>(Exception? error, Task? hold)
    {
        if (hold is not null)
        {
            await hold.ConfigureAwait(false);
        }

        await Task.Yield();
        return error is null ? Activator.CreateInstance<TResponse>() : throw error;
    }

    private int Record(CallOptions options)
    {
        _calls.Enqueue(options);
        return Interlocked.Increment(ref _count);
    }

    private sealed class EmptyReader<T> : IAsyncStreamReader<T>
    {
        public T Current => throw new InvalidOperationException();

        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
