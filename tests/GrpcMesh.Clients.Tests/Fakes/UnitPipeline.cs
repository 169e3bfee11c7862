using GrpcMesh.Testing;
using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcMesh.Clients.Context;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Resilience;
using GrpcMesh.Clients.Telemetry;
using GrpcMesh.Order.V1;
using GrpcMesh.User.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace GrpcMesh.Clients.Tests.Fakes;

/// <summary>One client pipeline (its <see cref="ResilienceInterceptor"/>) over a <see cref="ScriptedCallInvoker"/>, on a fake clock, for unit tests.</summary>
public sealed class UnitPipeline : IDisposable
{
    internal UnitPipeline(TimeProvider time, Action<GrpcMeshClientOptions>? configure = null, ServerCallContext? serverCall = null)
    {
        var options = new GrpcMeshClientOptions { Address = new Uri("http://127.0.0.1:5001") };
        options.Retry.InitialBackoff = TimeSpan.FromMilliseconds(100);
        options.Retry.MaxBackoff = TimeSpan.FromSeconds(1);
        configure?.Invoke(options);
        Telemetry = new GrpcMeshClientTelemetry();
        Metrics = new MetricRecorder(Telemetry.Meter);
        Setup = ClientSetup.Create("UserService", UserService.Descriptor, options, endpoints: null);
        Budget = new RetryBudget(options.Retry, time);
        Breaker = options.Breaker.Enabled ? new CircuitBreaker(Setup.Target.Key, options.Breaker, time, Telemetry, NullLogger.Instance) : null;
        Accessor = new FixedServerCallContextAccessor(serverCall);
        _time = time;
    }

    private readonly TimeProvider _time;

    internal ClientSetup Setup { get; }

    internal RetryBudget Budget { get; }

    /// <summary>The target's breaker, shared by every interceptor of this pipeline; null when disabled.</summary>
    internal CircuitBreaker? Breaker { get; }

    internal GrpcMeshClientTelemetry Telemetry { get; }

    public MetricRecorder Metrics { get; }

    public IServerCallContextAccessor Accessor { get; }

    public ScriptedCallInvoker Invoker { get; } = new();

    /// <summary>A UserService client whose calls pass through a new <see cref="ResilienceInterceptor"/> of this pipeline.</summary>
    public UserService.UserServiceClient Client() => new(Invoker.Intercept(Interceptor()));

    /// <summary>An OrderService client (streaming RPCs) through a new <see cref="ResilienceInterceptor"/> of this pipeline.</summary>
    public OrderService.OrderServiceClient OrderClient() => new(Invoker.Intercept(Interceptor()));

    internal ResilienceInterceptor Interceptor() => new(Setup, _time, Telemetry, NullLogger.Instance, Budget, Breaker, Accessor, random: () => 0.5);

    public void Dispose()
    {
        Metrics.Dispose();
        Telemetry.Dispose();
    }
}
