using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GrpcMesh.Clients.Telemetry;

/// <summary>
/// Records <see cref="CallDuration"/> on the <see cref="GrpcMeshClientTelemetry.MeterName"/> meter for calls made through
/// GrpcMesh clients, with the tags of the servers' <c>rpc.server.call.duration</c>. It is the outermost interceptor of
/// every client, so one logical call (retries included) is one measurement with the status the caller finally sees.
/// </summary>
public sealed class RpcClientMetricsInterceptor : Interceptor
{
    /// <summary>Histogram (seconds) of outgoing calls, tagged rpc.system, rpc.service, rpc.method, rpc.grpc.status_code.</summary>
    public const string CallDuration = "rpc.client.call.duration";

    private static readonly double[] Buckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    // Boxed once so recording a status code does not allocate.
    private static readonly object[] StatusCodes = Enumerable.Range(0, 17).Select(code => (object)code).ToArray();

    private readonly Histogram<double> _duration;

    public RpcClientMetricsInterceptor(GrpcMeshClientTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        _duration = telemetry.Meter.CreateHistogram(CallDuration, "s", "Duration of gRPC calls made by this service", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var recorder = new CallRecorder(this, context.Method);
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
        var recorder = new CallRecorder(this, context.Method);
        var call = continuation(request, context);
        return new AsyncUnaryCall<TResponse>(
            recorder.Observe(call.ResponseAsync), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var recorder = new CallRecorder(this, context.Method);
        var call = continuation(context);
        return new AsyncClientStreamingCall<TRequest, TResponse>(
            call.RequestStream, recorder.Observe(call.ResponseAsync), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var recorder = new CallRecorder(this, context.Method);
        var call = continuation(request, context);
        return new AsyncServerStreamingCall<TResponse>(
            new ObservedReader<TResponse>(call.ResponseStream, recorder), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers,
            () => { recorder.Complete(StatusCode.Cancelled); call.Dispose(); });
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var recorder = new CallRecorder(this, context.Method);
        var call = continuation(context);
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(
            call.RequestStream, new ObservedReader<TResponse>(call.ResponseStream, recorder), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers,
            () => { recorder.Complete(StatusCode.Cancelled); call.Dispose(); });
    }

    private void Record(IMethod method, StatusCode status, long startTimestamp)
    {
        if (!_duration.Enabled)
        {
            return;
        }

        var code = (int)status;
        var tags = new TagList
        {
            { "rpc.system", "grpc" },
            { "rpc.service", method.ServiceName },
            { "rpc.method", method.Name },
            { "rpc.grpc.status_code", (uint)code < StatusCodes.Length ? StatusCodes[code] : code },
        };
        _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }

    /// <summary>One call's measurement, recorded once: at the first completion (or at dispose, as CANCELLED).</summary>
    private sealed class CallRecorder(RpcClientMetricsInterceptor metrics, IMethod method)
    {
        private readonly long _start = Stopwatch.GetTimestamp();
        private int _recorded;

        public void Complete(StatusCode status)
        {
            if (Interlocked.Exchange(ref _recorded, 1) == 0)
            {
                metrics.Record(method, status, _start);
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
