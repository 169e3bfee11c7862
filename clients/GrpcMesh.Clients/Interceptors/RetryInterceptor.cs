using System.Globalization;
using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcMesh.Clients.Balancing;
using GrpcMesh.Clients.Calls;
using GrpcMesh.Clients.Context;
using GrpcMesh.Clients.Retry;
using Polly;
using Polly.Retry;

namespace GrpcMesh.Clients.Interceptors;

/// <summary>
/// Retries failed unary calls with a Polly v8 retry strategy, per the rules of <see cref="RetryRules"/> and
/// <see cref="RetryDecision"/>: budgeted per target, exponential jittered backoff or server pushback, never past the
/// deadline, <c>grpc-previous-rpc-attempts</c> on retried attempts. Inside a server call that is itself a retry (or
/// carries <see cref="GrpcMeshMetadata.NoRetry"/>) it does not retry and marks its calls with
/// <see cref="GrpcMeshMetadata.NoRetry"/>, so one failure is retried at one hop only. Streaming calls are not retried.
/// On a balanced target each attempt is a new call through the picker, and the call's <see cref="AttemptTrail"/> lets the
/// picker send a retry to a different endpoint than the attempt before.
/// </summary>
internal sealed class RetryInterceptor : Interceptor
{
    private static readonly ResiliencePropertyKey<RetryDecision> DecisionKey = new("grpcmesh.retry-decision");

    private readonly ClientPipeline _pipeline;
    private readonly IServerCallContextAccessor _serverCall;
    private readonly ResiliencePipeline? _retry;

    public RetryInterceptor(ClientPipeline pipeline, IServerCallContextAccessor serverCall)
    {
        _pipeline = pipeline;
        _serverCall = serverCall;
        var maxAttempts = pipeline.Options.Retry.MaxAttempts;
        _retry = maxAttempts <= 1 ? null : new ResiliencePipelineBuilder { TimeProvider = pipeline.Time, Name = $"grpcmesh-retry:{pipeline.Name}" }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = maxAttempts - 1,
                BackoffType = DelayBackoffType.Constant,
                Delay = TimeSpan.Zero,
                UseJitter = false,
                ShouldHandle = static args => new ValueTask<bool>(
                    args.Context.Properties.TryGetValue(DecisionKey, out var decision) && decision.ShouldRetry(args.Outcome.Exception)),
                DelayGenerator = static args => new ValueTask<TimeSpan?>(
                    args.Context.Properties.TryGetValue(DecisionKey, out var decision) ? decision.NextDelay : null),
            })
            .Build();
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        _pipeline.Budget.Deposit();
        if (IsDownstreamOfRetry())
        {
            return continuation(request, WithNoRetryMarker(context));
        }

        if (_retry is null)
        {
            return continuation(request, context);
        }

        return new RetryingUnaryCall<TRequest, TResponse>(_retry, NewDecision(request, context), _pipeline.Endpoints, request, context, continuation).Start();
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        _pipeline.Budget.Deposit();
        if (IsDownstreamOfRetry())
        {
            return continuation(request, WithNoRetryMarker(context));
        }

        if (_retry is null)
        {
            return continuation(request, context);
        }

        var decision = NewDecision(request, context);
        var resilienceContext = ResilienceContextPool.Shared.Get(context.Options.CancellationToken);
        resilienceContext.Properties.Set(DecisionKey, decision);
        var trail = _pipeline.Endpoints?.Trail;
        var outerTrail = trail?.Value;
        if (trail is not null)
        {
            trail.Value = new AttemptTrail();
        }

        try
        {
            return _retry.Execute(
                static (_, state) => state.continuation(state.request, ForAttempt(state.context, state.decision.Attempts++)),
                resilienceContext,
                (request, context, continuation, decision));
        }
        catch (OperationCanceledException)
        {
            throw CancelledWhileWaiting();
        }
        finally
        {
            if (trail is not null)
            {
                trail.Value = outerTrail;
            }

            ResilienceContextPool.Shared.Return(resilienceContext);
        }
    }

    private RetryDecision NewDecision<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class
    {
        var method = context.Method.FullName;
        var policy = _pipeline.Methods.Get(method, streaming: false);
        return new RetryDecision(_pipeline, method, policy.IsSafeToRepeat(request), context.Options.Deadline, context.Options.CancellationToken);
    }

    /// <summary>True inside a server call that is a retried attempt or asks its callee not to retry downstream.</summary>
    private bool IsDownstreamOfRetry()
    {
        if (_serverCall.ServerCallContext is not { } incoming)
        {
            return false;
        }

        var headers = incoming.RequestHeaders;
        return headers.Get(GrpcMeshMetadata.NoRetry) is not null
            || (headers.GetValue(GrpcMeshMetadata.PreviousAttempts) is { } previous
                && int.TryParse(previous, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0);
    }

    private static ClientInterceptorContext<TRequest, TResponse> WithNoRetryMarker<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class
    {
        if (context.Options.Headers?.Get(GrpcMeshMetadata.NoRetry) is not null)
        {
            return context;
        }

        var headers = Copy(context.Options.Headers, skip: null);
        headers.Add(GrpcMeshMetadata.NoRetry, "1");
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
    }

    /// <summary>The context of attempt <paramref name="attempt"/> (0-based): retried attempts carry grpc-previous-rpc-attempts.</summary>
    internal static ClientInterceptorContext<TRequest, TResponse> ForAttempt<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, int attempt)
        where TRequest : class
        where TResponse : class
    {
        if (attempt == 0)
        {
            return context;
        }

        var headers = Copy(context.Options.Headers, skip: GrpcMeshMetadata.PreviousAttempts);
        headers.Add(GrpcMeshMetadata.PreviousAttempts, attempt.ToString(CultureInfo.InvariantCulture));
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
    }

    internal static RpcException CancelledWhileWaiting() =>
        new(new Status(StatusCode.Cancelled, "The call was cancelled while waiting to retry."));

    private static Metadata Copy(Metadata? source, string? skip)
    {
        var copy = new Metadata();
        if (source is not null)
        {
            foreach (var entry in source)
            {
                if (!string.Equals(entry.Key, skip, StringComparison.Ordinal))
                {
                    copy.Add(entry);
                }
            }
        }

        return copy;
    }

    private sealed class RetryingUnaryCall<TRequest, TResponse>(
        ResiliencePipeline retry,
        RetryDecision decision,
        EndpointTable? endpoints,
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation) : ResilientUnaryCall<TResponse>
        where TRequest : class
        where TResponse : class
    {
        protected override async Task<TResponse> RunAsync()
        {
            if (endpoints is not null)
            {
                endpoints.Trail.Value = new AttemptTrail(); // flows into every attempt's pick; reverted when this method returns
            }

            var resilienceContext = ResilienceContextPool.Shared.Get(context.Options.CancellationToken);
            resilienceContext.Properties.Set(DecisionKey, decision);
            try
            {
                var outcome = await retry.ExecuteOutcomeAsync(
                    static (_, self) => self.AttemptAsync(), resilienceContext, this).ConfigureAwait(false);
                if (outcome.Exception is OperationCanceledException)
                {
                    throw Synthetic(CancelledWhileWaiting());
                }

                outcome.ThrowIfException();
                return outcome.Result!;
            }
            finally
            {
                ResilienceContextPool.Shared.Return(resilienceContext);
            }
        }

        private async ValueTask<Outcome<TResponse>> AttemptAsync()
        {
            var call = continuation(request, ForAttempt(context, decision.Attempts++));
            SetCurrent(call);
            Outcome<TResponse> outcome;
            try
            {
                outcome = Outcome.FromResult(await call.ResponseAsync.ConfigureAwait(false));
            }
            catch (Exception ex)
            {
                outcome = Outcome.FromException<TResponse>(ex);
            }

            decision.Abandoned = IsDisposed;
            return outcome;
        }
    }
}
