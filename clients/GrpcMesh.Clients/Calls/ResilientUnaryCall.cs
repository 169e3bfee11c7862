using System.Runtime.ExceptionServices;
using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcMesh.Clients.Balancing;
using GrpcMesh.Clients.Interceptors;
using GrpcMesh.Clients.Retry;
using Polly;

namespace GrpcMesh.Clients.Calls;

/// <summary>
/// A unary call of <see cref="ResilienceInterceptor"/> whose outcome is not known when the interceptor returns: one
/// wrapper and one async method per call. Usually the first attempt is already sent (around Polly, the circuit being
/// closed): the wrapper awaits it, reports it to the breaker and, only if it failed in a retryable way, continues in the
/// Polly retry pipeline with that outcome as the first attempt's. Otherwise (<see cref="StartThroughPolly"/>: the circuit
/// is not closed) every attempt runs through Polly. Headers, status and trailers are those of the underlying call that
/// produced the outcome, or of the synthetic failure when none did (open circuit, cancelled while waiting to retry);
/// headers are available once the outcome is known.
/// </summary>
internal sealed class ResilientUnaryCall<TRequest, TResponse>(
    ResilienceInterceptor owner,
    bool canRetry,
    AttemptTrail? trail,
    CancellationTokenSource? linked,
    TRequest request,
    ClientInterceptorContext<TRequest, TResponse> context,
    Interceptor.AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    where TRequest : class
    where TResponse : class
{
    private AsyncUnaryCall<TResponse>? _current;
    private RpcException? _synthetic;
    private Task<TResponse>? _response;
    private RetryDecision? _decision;
    private Exception? _firstError; // the failure of the attempt made before the retry pipeline started
    private int _disposed;

    private bool IsDisposed => Volatile.Read(ref _disposed) == 1;

    private CircuitBreakerStage? Breaker => owner.Breaker;

    /// <summary>Continues after <paramref name="first"/>, the call's first attempt, sent around Polly and not yet complete.</summary>
    public AsyncUnaryCall<TResponse> StartAfter(AsyncUnaryCall<TResponse> first)
    {
        _current = first;
        return Wrap(AfterFirstAsync(first.ResponseAsync));
    }

    /// <summary>
    /// Continues after <paramref name="first"/>, which failed with <paramref name="error"/> before the interceptor
    /// returned; <paramref name="report"/> is the report of that outcome to the breaker.
    /// </summary>
    public AsyncUnaryCall<TResponse> StartAfterFailure(AsyncUnaryCall<TResponse> first, Exception error, ValueTask report)
    {
        _current = first;
        return Wrap(AfterFailureAsync(error, report));
    }

    /// <summary>
    /// Returns <paramref name="response"/> of <paramref name="first"/> once <paramref name="report"/> — a report that
    /// changed the circuit's state — has completed.
    /// </summary>
    public AsyncUnaryCall<TResponse> StartAfterSuccess(AsyncUnaryCall<TResponse> first, TResponse response, ValueTask report)
    {
        _current = first;
        return Wrap(AfterReportAsync(response, report));
    }

    /// <summary>Sends every attempt through the Polly pipeline: the circuit is open, half-open or isolated.</summary>
    public AsyncUnaryCall<TResponse> StartThroughPolly() => Wrap(ThroughPollyAsync());

    private AsyncUnaryCall<TResponse> Wrap(Task<TResponse> response)
    {
        _response = response;
        return new AsyncUnaryCall<TResponse>(
            response,
            static state => ((ResilientUnaryCall<TRequest, TResponse>)state).GetHeadersAsync(),
            static state => ((ResilientUnaryCall<TRequest, TResponse>)state).GetStatus(),
            static state => ((ResilientUnaryCall<TRequest, TResponse>)state).GetTrailers(),
            static state => ((ResilientUnaryCall<TRequest, TResponse>)state).Dispose(),
            this);
    }

    // The happy path's one async method: few locals live across an await, so its box stays small.
    private async Task<TResponse> AfterFirstAsync(Task<TResponse> first)
    {
        TResponse response;
        try
        {
            response = await first.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return await AfterFailureAsync(ex, Report(Outcome.FromException<TResponse>(ex))).ConfigureAwait(false);
        }

        linked?.Dispose();
        var report = Report(Outcome.FromResult(response));
        if (!report.IsCompletedSuccessfully)
        {
            await report.ConfigureAwait(false);
        }

        return response;
    }

    private static async Task<TResponse> AfterReportAsync(TResponse response, ValueTask report)
    {
        await report.ConfigureAwait(false);
        return response;
    }

    private async Task<TResponse> AfterFailureAsync(Exception error, ValueTask report)
    {
        try
        {
            await report.ConfigureAwait(false);
            if (canRetry && owner.Retry.MayRetry(error, request, context.Method.FullName))
            {
                return await RetryAfterAsync(error).ConfigureAwait(false);
            }

            ExceptionDispatchInfo.Throw(error);
            return default!;
        }
        finally
        {
            linked?.Dispose();
        }
    }

    private async Task<TResponse> ThroughPollyAsync()
    {
        try
        {
            if (!canRetry)
            {
                var outcome = await AttemptAsync().ConfigureAwait(false);
                outcome.ThrowIfException();
                return outcome.Result!;
            }

            return await RetryAfterAsync(null).ConfigureAwait(false);
        }
        finally
        {
            linked?.Dispose();
        }
    }

    private ValueTask Report(Outcome<TResponse> outcome) => Breaker?.ReportAsync(outcome) ?? default;

    /// <summary>The Polly retry loop; <paramref name="firstError"/>, when set, is the failure of the attempt already made.</summary>
    private async Task<TResponse> RetryAfterAsync(Exception? firstError)
    {
        if (owner.Pipeline.Endpoints is { } endpoints && trail is not null)
        {
            endpoints.Trail.Value = trail; // flows into every attempt's pick; reverted when this method returns
        }

        _decision = owner.Retry.NewDecision(request, context);
        if (firstError is not null)
        {
            _decision.Attempts = 1;
            _firstError = firstError;
        }

        var outcome = await owner.Retry.ExecuteAsync(_decision, static (_, self) => self.AttemptAsync(), this, context.Options.CancellationToken)
            .ConfigureAwait(false);
        if (outcome.Exception is OperationCanceledException)
        {
            throw Synthetic(RetryStage.CancelledWhileWaiting());
        }

        outcome.ThrowIfException();
        return outcome.Result!;
    }

    private async ValueTask<Outcome<TResponse>> AttemptAsync()
    {
        if (_firstError is { } known)
        {
            _firstError = null;
            return Outcome.FromException<TResponse>(known);
        }

        if (IsDisposed)
        {
            return Outcome.FromException<TResponse>(Synthetic(new RpcException(new Status(StatusCode.Cancelled, "The call was disposed before this attempt."))));
        }

        var attempt = _decision is null ? 0 : _decision.Attempts++;
        var attemptContext = RetryStage.ForAttempt(context, attempt);
        Outcome<TResponse> outcome;
        if (Breaker is not { } breaker)
        {
            outcome = await SendAsync(attemptContext).ConfigureAwait(false);
        }
        else
        {
            var sent = _current;
            outcome = await breaker.ExecuteAsync(
                static s => s.self.SendAsync(s.attemptContext), (self: this, attemptContext), context.Method.FullName, context.Options.CancellationToken)
                .ConfigureAwait(false);
            if (ReferenceEquals(sent, Volatile.Read(ref _current)) && outcome.Exception is RpcException notSent)
            {
                _synthetic = notSent; // refused by the breaker or cancelled before sending: no call produced this status
            }
        }

        if (_decision is not null)
        {
            _decision.Abandoned = IsDisposed;
        }

        return outcome;
    }

    private async ValueTask<Outcome<TResponse>> SendAsync(ClientInterceptorContext<TRequest, TResponse> attemptContext)
    {
        var call = continuation(request, attemptContext);
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

    /// <summary>Makes <paramref name="call"/> the underlying call; the previous one has completed and is disposed.</summary>
    private void SetCurrent(AsyncUnaryCall<TResponse> call)
    {
        _synthetic = null;
        Interlocked.Exchange(ref _current, call)?.Dispose();
        if (IsDisposed)
        {
            call.Dispose();
        }
    }

    /// <summary>Records a failure that no underlying call produced and returns it for throwing.</summary>
    private RpcException Synthetic(RpcException error)
    {
        _synthetic = error;
        return error;
    }

    private async Task<Metadata> GetHeadersAsync()
    {
        try
        {
            await _response!.ConfigureAwait(false);
        }
        catch (RpcException)
        {
            // The error surfaces through ResponseAsync; headers come from the call that produced it.
        }

        if (_synthetic is not null)
        {
            throw _synthetic;
        }

        var call = Volatile.Read(ref _current) ?? throw new RpcException(new Status(StatusCode.Cancelled, "The call ended before it started."));
        return await call.ResponseHeadersAsync.ConfigureAwait(false);
    }

    private Status GetStatus()
    {
        if (_response is not { IsCompleted: true })
        {
            throw new InvalidOperationException("Unable to get the status because the call is not complete.");
        }

        return _synthetic?.Status ?? Volatile.Read(ref _current)?.GetStatus() ?? Status.DefaultCancelled;
    }

    private Metadata GetTrailers()
    {
        if (_response is not { IsCompleted: true })
        {
            throw new InvalidOperationException("Unable to get the trailers because the call is not complete.");
        }

        return _synthetic?.Trailers ?? Volatile.Read(ref _current)?.GetTrailers() ?? new Metadata();
    }

    private void Dispose()
    {
        Interlocked.Exchange(ref _disposed, 1);
        Volatile.Read(ref _current)?.Dispose();
    }
}
