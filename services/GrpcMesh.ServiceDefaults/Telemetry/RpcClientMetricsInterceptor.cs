using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GrpcMesh.ServiceDefaults.Telemetry;

/// <summary>
/// Records <see cref="GrpcMeshTelemetry.ClientCallDuration"/> for calls made through Grpc.Net.ClientFactory clients.
/// It is added as the outermost interceptor of every factory client, so one logical call (retries included) is one
/// measurement with the status the caller finally sees.
/// </summary>
internal sealed class RpcClientMetricsInterceptor(RpcMetrics metrics) : Interceptor
{
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var recorder = new CallRecorder(metrics, context.Method);
        try
        {
            var response = continuation(request, context);
            recorder.Complete(StatusCode.OK);
            return response;
        }
        catch (RpcException ex)
        {
            recorder.Complete(ex.StatusCode);
            throw;
        }
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var recorder = new CallRecorder(metrics, context.Method);
        var call = continuation(request, context);
        return new AsyncUnaryCall<TResponse>(
            recorder.Observe(call.ResponseAsync), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var recorder = new CallRecorder(metrics, context.Method);
        var call = continuation(context);
        return new AsyncClientStreamingCall<TRequest, TResponse>(
            call.RequestStream, recorder.Observe(call.ResponseAsync), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var recorder = new CallRecorder(metrics, context.Method);
        var call = continuation(request, context);
        return new AsyncServerStreamingCall<TResponse>(
            new ObservedReader<TResponse>(call.ResponseStream, recorder), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers,
            () => { recorder.Complete(StatusCode.Cancelled); call.Dispose(); });
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var recorder = new CallRecorder(metrics, context.Method);
        var call = continuation(context);
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(
            call.RequestStream, new ObservedReader<TResponse>(call.ResponseStream, recorder), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers,
            () => { recorder.Complete(StatusCode.Cancelled); call.Dispose(); });
    }

    /// <summary>One call's measurement, recorded once: at the first completion (or at dispose, as CANCELLED).</summary>
    private sealed class CallRecorder(RpcMetrics metrics, IMethod method)
    {
        private readonly long _start = Stopwatch.GetTimestamp();
        private int _recorded;

        public void Complete(StatusCode status)
        {
            if (Interlocked.Exchange(ref _recorded, 1) == 0)
            {
                metrics.RecordClient(method.ServiceName, method.Name, status, _start);
            }
        }

        public async Task<T> Observe<T>(Task<T> response)
        {
            try
            {
                var result = await response.ConfigureAwait(false);
                Complete(StatusCode.OK);
                return result;
            }
            catch (RpcException ex)
            {
                Complete(ex.StatusCode);
                throw;
            }
        }
    }

    private sealed class ObservedReader<T>(IAsyncStreamReader<T> inner, CallRecorder recorder) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            try
            {
                var more = await inner.MoveNext(cancellationToken).ConfigureAwait(false);
                if (!more)
                {
                    recorder.Complete(StatusCode.OK);
                }

                return more;
            }
            catch (RpcException ex)
            {
                recorder.Complete(ex.StatusCode);
                throw;
            }
        }
    }
}
