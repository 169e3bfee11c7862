using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcMesh.Clients.CircuitBreaker;
using GrpcMesh.Clients.Context;
using GrpcMesh.Clients.Interceptors;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Retry;
using GrpcMesh.Clients.Telemetry;
using GrpcMesh.User.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace GrpcMesh.Clients.Tests.Fakes;

/// <summary>One client pipeline over a <see cref="ScriptedCallInvoker"/>, on a fake clock, for interceptor unit tests.</summary>
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

    public UserService.UserServiceClient ClientWith(params Interceptor[] interceptors) => new(Invoker.Intercept(interceptors));

    internal DeadlineInterceptor Deadline() => new(Pipeline, Accessor);

    internal RetryInterceptor Retry() => new(Pipeline, Accessor);

    internal CircuitBreakerInterceptor Breaker() => new(Pipeline, Pipeline.Breaker!);

    public void Dispose()
    {
        Metrics.Dispose();
        Telemetry.Dispose();
    }
}
