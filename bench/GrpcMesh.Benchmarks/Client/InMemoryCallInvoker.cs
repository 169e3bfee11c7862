using Grpc.Core;

namespace GrpcMesh.Benchmarks.Client;

/// <summary>
/// A <see cref="CallInvoker"/> that answers every unary call with one canned response, without a network: completed
/// at once (<paramref name="yield"/> false, allocation-free: the same call object each time) or after a thread-pool
/// hop (true), the way a real call completes.
/// </summary>
public sealed class InMemoryCallInvoker(object response, bool yield) : CallInvoker
{
    private static readonly Metadata NoMetadata = [];

    private readonly Task<object> _completed = Task.FromResult(response);
    private object? _cachedCall;

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        if (yield)
        {
            return Create(YieldThenRespondAsync<TResponse>());
        }

        return (AsyncUnaryCall<TResponse>)(_cachedCall ??= Create(Task.FromResult((TResponse)response)));
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        (TResponse)_completed.Result;

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw new NotSupportedException();

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) => throw new NotSupportedException();

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) => throw new NotSupportedException();

    private static AsyncUnaryCall<TResponse> Create<TResponse>(Task<TResponse> response) => new(
        response, Task.FromResult(NoMetadata), static () => Status.DefaultSuccess, static () => NoMetadata, static () => { });

    private async Task<TResponse> YieldThenRespondAsync<TResponse>()
    {
        await Task.Yield();
        return (TResponse)response;
    }
}
