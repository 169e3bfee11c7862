using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcMesh.Clients.CircuitBreaker;
using GrpcMesh.Clients.Context;
using GrpcMesh.Clients.Interceptors;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Retry;
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
        Pipeline = new ClientPipeline(
            "UserService", UserService.Descriptor, options, time, Telemetry, NullLogger.Instance,
            new RetryBudgetRegistry(time), new CircuitBreakerRegistry(time, Telemetry, NullLoggerFactory.Instance), random: () => 0.5);
        Accessor = new FixedServerCallContextAccessor(serverCall);
    }

    internal ClientPipeline Pipeline { get; }

    internal GrpcMeshClientTelemetry Telemetry { get; }

    public MetricRecorder Metrics { get; }

    public IServerCallContextAccessor Accessor { get; }

    public ScriptedCallInvoker Invoker { get; } = new();

    /// <summary>A UserService client whose calls pass through a new <see cref="ResilienceInterceptor"/> of this pipeline.</summary>
    public UserService.UserServiceClient Client() => new(Invoker.Intercept(Interceptor()));

    /// <summary>An OrderService client (streaming RPCs) through a new <see cref="ResilienceInterceptor"/> of this pipeline.</summary>
    public OrderService.OrderServiceClient OrderClient() => new(Invoker.Intercept(Interceptor()));

    internal ResilienceInterceptor Interceptor() => new(Pipeline, Accessor);

    public void Dispose()
    {
        Metrics.Dispose();
        Telemetry.Dispose();
    }
}
