using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GrpcMesh.Reliability.Tests.Faults;

/// <summary>
/// What UserService does to each call while a test drives OrderService: nothing, fail a ratio of calls with a code,
/// add latency, or fail everything (outage). Counts every attempt that reaches UserService, first attempts and retries
/// (<c>grpc-previous-rpc-attempts</c>) apart, and the delayed calls that were cancelled by their caller.
/// </summary>
public sealed class FaultInjector
{
    private readonly ConcurrentDictionary<string, int> _attemptsByMethod = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly Random _random = new(12345);
    private int _firstAttempts;
    private int _retries;
    private int _cancelledDuringLatency;

    public StatusCode ErrorCode { get; private set; } = StatusCode.Unavailable;

    public double ErrorRatio { get; private set; }

    public TimeSpan Latency { get; private set; }

    /// <summary>Only calls to methods whose name is in this set are affected (all when empty).</summary>
    public IReadOnlySet<string> Methods { get; private set; } = new HashSet<string>();

    public int FirstAttempts => Volatile.Read(ref _firstAttempts);

    public int Retries => Volatile.Read(ref _retries);

    public int Attempts => FirstAttempts + Retries;

    public int CancelledDuringLatency => Volatile.Read(ref _cancelledDuringLatency);

    public void Clear() => Set(StatusCode.Unavailable, 0, TimeSpan.Zero);

    public void Outage() => Set(StatusCode.Unavailable, 1, TimeSpan.Zero);

    public void Errors(StatusCode code, double ratio, params string[] methods) => Set(code, ratio, TimeSpan.Zero, methods);

    public void Slow(TimeSpan latency) => Set(StatusCode.Unavailable, 0, latency);

    private void Set(StatusCode code, double ratio, TimeSpan latency, params string[] methods)
    {
        lock (_lock)
        {
            ErrorCode = code;
            ErrorRatio = ratio;
            Latency = latency;
            Methods = methods.ToHashSet(StringComparer.Ordinal);
        }
    }

    internal async Task BeforeAsync(ServerCallContext context)
    {
        var method = context.Method[(context.Method.LastIndexOf('/') + 1)..];
        _attemptsByMethod.AddOrUpdate(method, 1, (_, n) => n + 1);
        if (context.RequestHeaders.Get("grpc-previous-rpc-attempts") is null)
        {
            Interlocked.Increment(ref _firstAttempts);
        }
        else
        {
            Interlocked.Increment(ref _retries);
        }

        StatusCode code;
        bool fail;
        TimeSpan latency;
        lock (_lock)
        {
            var applies = Methods.Count == 0 || Methods.Contains(method);
            fail = applies && ErrorRatio > 0 && _random.NextDouble() < ErrorRatio;
            code = ErrorCode;
            latency = applies ? Latency : TimeSpan.Zero;
        }

        if (latency > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(latency, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _cancelledDuringLatency);
                throw;
            }
        }

        if (fail)
        {
            throw new RpcException(new Status(code, $"injected {code}"));
        }
    }
}

/// <summary>Runs <see cref="FaultInjector"/> in front of every UserService handler.</summary>
public sealed class FaultInjectorInterceptor(FaultInjector injector) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await injector.BeforeAsync(context);
        return await continuation(request, context);
    }
}
