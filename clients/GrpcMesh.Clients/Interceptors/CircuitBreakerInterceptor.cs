using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcMesh.Clients.Calls;
using GrpcMesh.Clients.CircuitBreaker;
using Polly;
using Polly.CircuitBreaker;

namespace GrpcMesh.Clients.Interceptors;

/// <summary>
/// Innermost interceptor: runs each attempt through the target's Polly circuit breaker. While the circuit is open a
/// call fails at once with UNAVAILABLE ("circuit open for …; retry after …") without a request; the retry interceptor
/// does not retry that status. Unary calls feed the breaker with their outcome; streaming calls are only gated (refused
/// while open), since their outcome is known only when the stream ends.
/// </summary>
internal sealed class CircuitBreakerInterceptor(ClientPipeline pipeline, TargetCircuitBreaker breaker) : Interceptor
{
    private ResiliencePipeline Breaker => breaker.Pipeline;

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        new BreakerUnaryCall<TRequest, TResponse>(this, request, context, continuation).Start();

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        try
        {
            return breaker.Pipeline.Execute(static state => state.continuation(state.request, state.context), (request, context, continuation));
        }
        catch (BrokenCircuitException broken)
        {
            throw Reject(broken, context.Method.FullName);
        }
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        IsOpen() ? FailedCalls.ServerStreaming<TResponse>(Reject(null, context.Method.FullName)) : continuation(request, context);

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
        IsOpen() ? FailedCalls.ClientStreaming<TRequest, TResponse>(Reject(null, context.Method.FullName)) : continuation(context);

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        IsOpen() ? FailedCalls.DuplexStreaming<TRequest, TResponse>(Reject(null, context.Method.FullName)) : continuation(context);

    private bool IsOpen() => breaker.State is CircuitState.Open or CircuitState.Isolated;

    private RpcException Reject(BrokenCircuitException? broken, string method)
    {
        pipeline.Telemetry.BreakerRejection(breaker.Target, method);
        return breaker.Rejection(broken ?? new BrokenCircuitException("The circuit is open."));
    }

    private sealed class BreakerUnaryCall<TRequest, TResponse>(
        CircuitBreakerInterceptor owner,
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation) : ResilientUnaryCall<TResponse>
        where TRequest : class
        where TResponse : class
    {
        protected override async Task<TResponse> RunAsync()
        {
            var resilienceContext = ResilienceContextPool.Shared.Get(context.Options.CancellationToken);
            try
            {
                var outcome = await owner.Breaker.ExecuteOutcomeAsync(
                    static (_, self) => self.SendAsync(), resilienceContext, this).ConfigureAwait(false);
                if (outcome.Exception is BrokenCircuitException broken)
                {
                    throw Synthetic(owner.Reject(broken, context.Method.FullName));
                }

                if (outcome.Exception is OperationCanceledException)
                {
                    throw Synthetic(new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled before it was sent.")));
                }

                outcome.ThrowIfException();
                return outcome.Result!;
            }
            finally
            {
                ResilienceContextPool.Shared.Return(resilienceContext);
            }
        }

        private async ValueTask<Outcome<TResponse>> SendAsync()
        {
            var call = continuation(request, context);
            SetCurrent(call);
            try
            {
                return Outcome.FromResult(await call.ResponseAsync.ConfigureAwait(false));
            }
            catch (Exception ex)
            {
                return Outcome.FromException<TResponse>(ex);
            }
        }
    }
}
