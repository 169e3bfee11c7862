using Google.Protobuf.Reflection;
using GrpcMesh.Clients.Balancing;
using GrpcMesh.Clients.CircuitBreaker;
using GrpcMesh.Clients.Methods;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Retry;
using GrpcMesh.Clients.Target;
using GrpcMesh.Clients.Telemetry;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Clients;

/// <summary>
/// Everything the resilience interceptor of one named client shares, built once from its validated options: the target, the
/// per-method policies, the target's retry budget and circuit breaker, clock, telemetry and logger.
/// </summary>
internal sealed class ClientPipeline
{
    public ClientPipeline(
        string name,
        ServiceDescriptor service,
        GrpcMeshClientOptions options,
        TimeProvider time,
        GrpcMeshClientTelemetry telemetry,
        ILogger logger,
        RetryBudgetRegistry budgets,
        CircuitBreakerRegistry breakers,
        Func<double>? random = null,
        EndpointTableRegistry? endpoints = null)
    {
        Name = name;
        Options = options;
        Target = ClientTarget.Parse(options.Address ?? throw new InvalidOperationException($"Clients:{name}:Address is not set."), options.UseTls);
        Methods = new MethodCatalog(service, options);
        Time = time;
        Telemetry = telemetry;
        Logger = logger;
        Budget = budgets.Get(Target.Key, options.Retry);
        Breaker = options.Breaker.Enabled ? breakers.Get(Target.Key, options.Breaker) : null;
        Random = random ?? System.Random.Shared.NextDouble;
        Endpoints = endpoints is not null && Target.IsBalanced && options.LoadBalancing.Policy == GrpcMeshLoadBalancingOptions.RoundRobin
            ? endpoints.Get(Target, options)
            : null;
    }

    public string Name { get; }

    public GrpcMeshClientOptions Options { get; }

    public ClientTarget Target { get; }

    public MethodCatalog Methods { get; }

    public TimeProvider Time { get; }

    public GrpcMeshClientTelemetry Telemetry { get; }

    public ILogger Logger { get; }

    public RetryBudget Budget { get; }

    public TargetCircuitBreaker? Breaker { get; }

    public Func<double> Random { get; }

    /// <summary>Endpoint state of a round-robin balanced target (<c>dns:///</c>, <c>static:///</c>); null otherwise.</summary>
    public EndpointTable? Endpoints { get; }
}
