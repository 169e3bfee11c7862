using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GrpcMesh.OrderService.Tests.Support;

/// <summary>
/// Gives every client call without its own token the current test's cancellation token, so an aborted or timed-out
/// test run cancels its calls (why xUnit1051 is off for this project).
/// </summary>
public sealed class TestCancellationInterceptor : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithTestToken(context));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithTestToken(context));

    private static ClientInterceptorContext<TRequest, TResponse> WithTestToken<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class where TResponse : class =>
        context.Options.CancellationToken.CanBeCanceled
            ? context
            : new(context.Method, context.Host, context.Options.WithCancellationToken(TestContext.Current.CancellationToken));
}
