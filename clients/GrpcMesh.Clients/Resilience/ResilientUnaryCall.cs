using System.Runtime.ExceptionServices;
using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcMesh.Clients.Balancing;
using Polly;

namespace GrpcMesh.Clients.Resilience;

/// <summary>
/// One unary call through <see cref="ResilienceInterceptor"/>, read top to bottom in <see cref="RunAsync"/>: for each
/// attempt, ask the breaker, send, report the outcome, and let the <see cref="RetryPolicy"/> decide whether and when to
/// try again. The caller sees the headers, status and trailers of the attempt that produced the outcome, or of the
/// failure no attempt produced (refused by the open circuit, cancelled while waiting to retry).
/// </summary>
internal sealed class ResilientUnaryCall<TRequest, TResponse>(
    ResilienceInterceptor owner,
    TRequest request,
    ClientInterceptorContext<TRequest, TResponse> context,
    Interceptor.AsyncUnaryCallContinuation<TRequest, TResponse> continuation,
    bool mayRetry,
    CancellationTokenSource? linked)
    where TRequest : class
    where TResponse : class
{
    private AsyncUnaryCall<TResponse>? _attempt;
    private RpcException? _unsent;
    private Task<TResponse>? _response;
    private int _sent;
    private bool _attemptCut;
    private int _disposed;

    private bool IsDisposed => Volatile.Read(ref _disposed) == 1;

    public AsyncUnaryCall<TResponse> Start()
    {
        _response = RunAsync();
        return new AsyncUnaryCall<TResponse>(
            _response,
            static state => ((ResilientUnaryCall<TRequest, TResponse>)state).GetHeadersAsync(),
            static state => ((ResilientUnaryCall<TRequest, TResponse>)state).GetStatus(),
            static state => ((ResilientUnaryCall<TRequest, TResponse>)state).GetTrailers(),
            static state => ((ResilientUnaryCall<TRequest, TResponse>)state).Dispose(),
            this);
    }

    private async Task<TResponse> RunAsync()
    {
        try
        {
            if (owner.Endpoints is { } endpoints)
            {
                endpoints.Trail.Value = new AttemptTrail(); // the picker records each attempt's endpoint so a retry can avoid it
            }

            for (var attempt = 0; ; attempt++)
            {
                Exception failure;
                if (owner.Breaker is { IsClosed: false } breaker)
                {
                    try
                    {
                        return await ThroughBreakerAsync(breaker, attempt).ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        failure = e;
                    }
                }
                else
                {
                    try
                    {
                        var response = await Send(attempt).ConfigureAwait(false);
                        await Report(null).ConfigureAwait(false);
                        return response;
                    }
                    catch (Exception e)
                    {
                        failure = e;
                    }

                    await Report(failure).ConfigureAwait(false);
                }

                if (!mayRetry || IsDisposed || context.Options.CancellationToken.IsCancellationRequested
                    || !owner.Retry.ShouldRetry(failure, attempt, request, context.Method.FullName, context.Options.Deadline ?? DateTime.MaxValue, _attemptCut, out var delay))
                {
                    ExceptionDispatchInfo.Throw(failure);
                    return default!;
                }

                if (delay > TimeSpan.Zero)
                {
                    await WaitToRetryAsync(delay).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            linked?.Dispose();
        }
    }

    /// <summary>Sends attempt <paramref name="attempt"/> (0-based); it becomes the call whose headers, status and trailers the caller sees.</summary>
    private Task<TResponse> Send(int attempt)
    {
        var attemptContext = RetryPolicy.ForAttempt(context, attempt);
        var cut = mayRetry ? owner.Retry.AttemptDeadline(attempt, request, context.Method.FullName, context.Options.Deadline ?? DateTime.MaxValue) : null;
        _attemptCut = cut is not null;
        if (cut is { } attemptDeadline)
        {
            attemptContext = new ClientInterceptorContext<TRequest, TResponse>(
                attemptContext.Method, attemptContext.Host, attemptContext.Options.WithDeadline(attemptDeadline));
        }

        var call = continuation(request, attemptContext);
        _sent++;
        _unsent = null;
        Interlocked.Exchange(ref _attempt, call)?.Dispose();
        if (IsDisposed)
        {
            call.Dispose();
        }

        return call.ResponseAsync;
    }

    private ValueTask Report(Exception? failure) => owner.Breaker?.ReportAsync(failure) ?? default;

    /// <summary>An attempt while the circuit is not closed. Open: refused without a request. Half-open: Polly lets one attempt through as the probe.</summary>
    private async Task<TResponse> ThroughBreakerAsync(CircuitBreaker breaker, int attempt)
    {
        var sentBefore = _sent;
        var outcome = await breaker.ExecuteAsync(static s => s.self.SendThroughBreakerAsync(s.attempt), (self: this, attempt),
            context.Method.FullName, context.Options.CancellationToken).ConfigureAwait(false);
        if (outcome.Exception is { } failure && _sent == sentBefore)
        {
            _unsent = failure as RpcException; // refused by the open circuit, or cancelled before sending
        }

        outcome.ThrowIfException();
        return outcome.Result!;
    }

    private async ValueTask<Outcome<TResponse>> SendThroughBreakerAsync(int attempt)
    {
        try
        {
            return Outcome.FromResult(await Send(attempt).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            return Outcome.FromException<TResponse>(e);
        }
    }

    private async Task WaitToRetryAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, owner.Time, context.Options.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw _unsent = RetryPolicy.CancelledWhileWaiting();
        }

        if (IsDisposed)
        {
            throw _unsent = new RpcException(new Status(StatusCode.Cancelled, "The call was disposed while waiting to retry."));
        }
    }

    private async Task<Metadata> GetHeadersAsync()
    {
        try
        {
            await _response!.ConfigureAwait(false);
        }
        catch (RpcException)
        {
            // The failure surfaces through ResponseAsync; headers come from the attempt that produced it.
        }

        if (_unsent is not null)
        {
            throw _unsent;
        }

        var call = Volatile.Read(ref _attempt) ?? throw new RpcException(new Status(StatusCode.Cancelled, "The call ended before it was sent."));
        return await call.ResponseHeadersAsync.ConfigureAwait(false);
    }

    private Status GetStatus()
    {
        if (_response is not { IsCompleted: true })
        {
            throw new InvalidOperationException("Unable to get the status because the call is not complete.");
        }

        return _unsent?.Status ?? Volatile.Read(ref _attempt)?.GetStatus() ?? Status.DefaultCancelled;
    }

    private Metadata GetTrailers()
    {
        if (_response is not { IsCompleted: true })
        {
            throw new InvalidOperationException("Unable to get the trailers because the call is not complete.");
        }

        return _unsent?.Trailers ?? Volatile.Read(ref _attempt)?.GetTrailers() ?? [];
    }

    private void Dispose()
    {
        Interlocked.Exchange(ref _disposed, 1);
        Volatile.Read(ref _attempt)?.Dispose();
    }
}
