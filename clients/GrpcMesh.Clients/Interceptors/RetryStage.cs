using System.Globalization;
using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcMesh.Clients.Balancing;
using GrpcMesh.Clients.Retry;
using Polly;
using Polly.Retry;

namespace GrpcMesh.Clients.Interceptors;

/// <summary>
/// Retry stage of <see cref="ResilienceInterceptor"/>: retries failed unary calls with a Polly v8 retry strategy, per the
/// rules of <see cref="RetryRules"/> and <see cref="RetryDecision"/>: budgeted per target, exponential jittered backoff
/// or server pushback, never past the deadline, <c>grpc-previous-rpc-attempts</c> on retried attempts. Inside a server
/// call that is itself a retry (or carries <see cref="GrpcMeshMetadata.NoRetry"/>) it does not retry and marks its calls
/// with <see cref="GrpcMeshMetadata.NoRetry"/>, so one failure is retried at one hop only. Streaming calls are not
/// retried. On a balanced target the call's <see cref="AttemptTrail"/> lets the picker send a retry to a different
/// endpoint than the attempt before. The first attempt of a call is sent without Polly; only a failure that
/// <see cref="MayRetry"/> enters the Polly pipeline, with that attempt's outcome as its first.
/// </summary>
internal sealed class RetryStage
{
    private static readonly ResiliencePropertyKey<RetryDecision> DecisionKey = new("grpcmesh.retry-decision");

    private readonly ClientPipeline _pipeline;
    private readonly ResiliencePipeline? _retry;

    public RetryStage(ClientPipeline pipeline)
    {
        _pipeline = pipeline;
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

    /// <summary>
    /// Called once per unary call (not per attempt): deposits into the target's retry budget and returns whether the call
    /// may be retried at all. Inside a server call downstream of a retry it marks <paramref name="context"/> with
    /// <see cref="GrpcMeshMetadata.NoRetry"/> and returns false.
    /// </summary>
    public bool Admit<TRequest, TResponse>(ref ClientInterceptorContext<TRequest, TResponse> context, ServerCallContext? incoming)
        where TRequest : class
        where TResponse : class
    {
        _pipeline.Budget.Deposit();
        if (IsDownstreamOfRetry(incoming))
        {
            context = WithNoRetryMarker(context);
            return false;
        }

        return _retry is not null;
    }

    /// <summary>
    /// Whether <paramref name="error"/> of a call's first attempt is of a kind that may be retried (pure; attempts,
    /// deadline and budget are checked by <see cref="RetryDecision.ShouldRetry"/> once the retry pipeline runs).
    /// </summary>
    public bool MayRetry(Exception error, object request, string method) =>
        error is RpcException rpc && RetryRules.Classify(rpc, IsSafeToRepeat(request, method), out _) != RetryRules.Verdict.Stop;

    public RetryDecision NewDecision<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class
    {
        var method = context.Method.FullName;
        return new RetryDecision(_pipeline, method, IsSafeToRepeat(request, method), context.Options.Deadline, context.Options.CancellationToken);
    }

    /// <summary>Runs <paramref name="attempt"/> through the Polly retry strategy until it succeeds or <paramref name="decision"/> stops it.</summary>
    public async ValueTask<Outcome<TResult>> ExecuteAsync<TResult, TState>(
        RetryDecision decision,
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> attempt,
        TState state,
        CancellationToken cancellationToken)
    {
        var resilienceContext = ResilienceContextPool.Shared.Get(cancellationToken);
        resilienceContext.Properties.Set(DecisionKey, decision);
        try
        {
            return await Retry.ExecuteOutcomeAsync(attempt, resilienceContext, state).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilienceContext);
        }
    }

    /// <summary>The blocking counterpart of <see cref="ExecuteAsync"/>; <paramref name="attempt"/> gets the attempt's context.</summary>
    public TResponse Execute<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        Func<ClientInterceptorContext<TRequest, TResponse>, TResponse> attempt)
        where TRequest : class
        where TResponse : class
    {
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
            return Retry.Execute(
                static (_, state) => state.attempt(ForAttempt(state.context, state.decision.Attempts++)),
                resilienceContext,
                (context, attempt, decision));
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

    /// <summary>The context of attempt <paramref name="attempt"/> (0-based): retried attempts carry grpc-previous-rpc-attempts.</summary>
    public static ClientInterceptorContext<TRequest, TResponse> ForAttempt<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, int attempt)
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

    public static RpcException CancelledWhileWaiting() =>
        new(new Status(StatusCode.Cancelled, "The call was cancelled while waiting to retry."));

    private ResiliencePipeline Retry => _retry ?? throw new InvalidOperationException("Retries are off (Retry:MaxAttempts is 1).");

    private bool IsSafeToRepeat(object request, string method) => _pipeline.Methods.Get(method, streaming: false).IsSafeToRepeat(request);

    /// <summary>True inside a server call that is a retried attempt or asks its callee not to retry downstream.</summary>
    private static bool IsDownstreamOfRetry(ServerCallContext? incoming)
    {
        if (incoming is null)
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
}
