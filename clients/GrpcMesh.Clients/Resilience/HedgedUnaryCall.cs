using System.Runtime.ExceptionServices;
using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcMesh.Clients.Balancing;

namespace GrpcMesh.Clients.Resilience;

/// <summary>
/// One hedged unary call (gRPC A6 hedgingPolicy) of a <c>NO_SIDE_EFFECTS</c> method: the first attempt is sent at once,
/// another whenever the last one has gone the hedge delay (<see cref="ResilienceInterceptor.HedgeDelay"/>) without an answer or an
/// attempt fails with a retryable status, up to <see cref="Options.GrpcMeshHedgingOptions.MaxAttempts"/>; each hedge is
/// paid from the retry budget and none is sent while the circuit is not closed. The first success wins, as does the
/// first failure that must not be retried; the other attempts are cancelled. The caller sees the headers, status and
/// trailers of that attempt.
/// </summary>
internal sealed class HedgedUnaryCall<TRequest, TResponse>(
    ResilienceInterceptor owner,
    TRequest request,
    ClientInterceptorContext<TRequest, TResponse> context,
    Interceptor.AsyncUnaryCallContinuation<TRequest, TResponse> continuation,
    CancellationTokenSource? linked)
    where TRequest : class
    where TResponse : class
{
    private readonly Lock _lock = new();
    private readonly List<AsyncUnaryCall<TResponse>> _sent = [];
    private AsyncUnaryCall<TResponse>? _committed;
    private Task<TResponse>? _response;
    private bool _disposed;

    public AsyncUnaryCall<TResponse> Start()
    {
        _response = RunAsync();
        return new AsyncUnaryCall<TResponse>(
            _response,
            static state => ((HedgedUnaryCall<TRequest, TResponse>)state).GetHeadersAsync(),
            static state => ((HedgedUnaryCall<TRequest, TResponse>)state).Committed.GetStatus(),
            static state => ((HedgedUnaryCall<TRequest, TResponse>)state).Committed.GetTrailers(),
            static state => ((HedgedUnaryCall<TRequest, TResponse>)state).Dispose(),
            this);
    }

    private AsyncUnaryCall<TResponse> Committed =>
        _response is { IsCompleted: true } && Volatile.Read(ref _committed) is { } committed
            ? committed
            : throw new InvalidOperationException("Unable to get the status or trailers because the call is not complete.");

    private async Task<TResponse> RunAsync()
    {
        var method = context.Method.FullName;
        var hedging = owner.Hedging;
        using var timers = CancellationTokenSource.CreateLinkedTokenSource(context.Options.CancellationToken); // no hedge timer outlives the call
        var cancellation = timers.Token;
        var inFlight = new List<AsyncUnaryCall<TResponse>>();
        // Send times only feed the adaptive hedge delay; without it the map is not kept.
        var sentAt = hedging.DelayPercentile is null ? null : new Dictionary<AsyncUnaryCall<TResponse>, long>();
        try
        {
            if (owner.Endpoints is { } endpoints)
            {
                endpoints.Trail.Value = new AttemptTrail(); // each hedge's pick avoids the endpoint of the attempt before it
            }

            inFlight.Add(Send(0, sentAt));
            var sent = 1;
            var delay = owner.HedgeDelay(method);
            var hedgeDue = WaitAtLeastAsync(delay, owner.Time, cancellation);
            while (true)
            {
                var mayHedge = sent < hedging.MaxAttempts && !hedgeDue.IsCanceled;
                var waitingFor = inFlight.Select(a => (Task)a.ResponseAsync).ToList();
                if (mayHedge)
                {
                    waitingFor.Add(hedgeDue);
                }

                var done = await Task.WhenAny(waitingFor).ConfigureAwait(false);
                if (done == hedgeDue)
                {
                    if (!hedgeDue.IsCanceled && TryHedge(method, "delay"))
                    {
                        inFlight.Add(Send(sent++, sentAt));
                        hedgeDue = WaitAtLeastAsync(delay, owner.Time, cancellation);
                    }
                    else
                    {
                        sent = hedging.MaxAttempts; // no more hedges: wait for what is in flight
                    }

                    continue;
                }

                var finished = inFlight.Single(a => a.ResponseAsync == done);
                inFlight.Remove(finished);
                var failure = done.IsCanceled ? RetryPolicy.CancelledWhileWaiting() : done.Exception?.InnerException;
                await (owner.Breaker?.ReportAsync(failure) ?? default).ConfigureAwait(false);
                if (failure is null)
                {
                    if (sentAt is not null)
                    {
                        owner.RecordAnswered(method, owner.Time.GetElapsedTime(sentAt[finished]));
                    }

                    Commit(finished, inFlight);
                    return await finished.ResponseAsync.ConfigureAwait(false);
                }

                var retryable = failure is RpcException rpc && RetryPolicy.Classify(rpc, safeToRepeat: true, out _) != RetryPolicy.Verdict.Stop;
                if (retryable && sent < hedging.MaxAttempts && TryHedge(method, "failure"))
                {
                    inFlight.Add(Send(sent++, sentAt));
                    hedgeDue = WaitAtLeastAsync(delay, owner.Time, cancellation);
                }

                if (!retryable || inFlight.Count == 0)
                {
                    Commit(finished, inFlight);
                    ExceptionDispatchInfo.Throw(failure);
                }
            }
        }
        finally
        {
            await timers.CancelAsync().ConfigureAwait(false);
            linked?.Dispose();
        }
    }

    /// <summary>
    /// Waits until <paramref name="delay"/> has really passed: on the system clock with <see cref="PreciseDelay"/> (a hedge
    /// delay is a few milliseconds, and .NET's timers are a kernel tick coarse); on another clock (a test's fake) with its
    /// timers, waited on again for what is left, since a coarse timer can end early. A hedge sent early duplicates calls
    /// that were about to answer — with a ~3 ms p95 on 2.4 ms calls, one call in ten — and spends the retry budget the
    /// stalled calls need.
    /// </summary>
    private static async Task WaitAtLeastAsync(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        if (time == TimeProvider.System)
        {
            await PreciseDelay.WaitAsync(delay, cancellationToken).ConfigureAwait(false);
            return;
        }

        var start = time.GetTimestamp();
        for (var left = delay; left > TimeSpan.Zero; left = delay - time.GetElapsedTime(start))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(left.TotalMilliseconds)), time, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool TryHedge(string method, string reason) =>
        owner.Breaker is not { IsClosed: false } && !context.Options.CancellationToken.IsCancellationRequested && owner.Retry.TryHedge(method, reason);

    private AsyncUnaryCall<TResponse> Send(int attempt, Dictionary<AsyncUnaryCall<TResponse>, long>? sentAt)
    {
        var started = owner.Time.GetTimestamp();
        var call = continuation(request, RetryPolicy.ForAttempt(context, attempt));
        sentAt?.Add(call, started);
        lock (_lock)
        {
            _sent.Add(call);
            if (!_disposed)
            {
                return call;
            }
        }

        call.Dispose();
        return call;
    }

    /// <summary>Makes <paramref name="winner"/> the call the caller sees and cancels <paramref name="losers"/>.</summary>
    private void Commit(AsyncUnaryCall<TResponse> winner, List<AsyncUnaryCall<TResponse>> losers)
    {
        Volatile.Write(ref _committed, winner);
        foreach (var loser in losers)
        {
            loser.Dispose();
            _ = loser.ResponseAsync.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
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

        var committed = Volatile.Read(ref _committed) ?? throw new RpcException(new Status(StatusCode.Cancelled, "The call ended before an attempt answered."));
        return await committed.ResponseHeadersAsync.ConfigureAwait(false);
    }

    private void Dispose()
    {
        AsyncUnaryCall<TResponse>[] sent;
        lock (_lock)
        {
            _disposed = true;
            sent = [.. _sent];
        }

        foreach (var call in sent)
        {
            call.Dispose();
        }
    }
}
