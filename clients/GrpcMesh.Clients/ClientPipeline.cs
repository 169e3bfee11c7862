using Google.Protobuf.Reflection;
using GrpcMesh.Clients.Balancing;
using GrpcMesh.Clients.CircuitBreaker;
using GrpcMesh.Clients.Methods;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Retry;
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
        Address = options.Address ?? throw new InvalidOperationException($"Clients:{name}:Address is not set.");
        Target = Address.OriginalString.TrimEnd('/');
        Methods = new MethodCatalog(service, options);
        Time = time;
        Telemetry = telemetry;
        Logger = logger;
        Budget = budgets.Get(Target, options.Retry);
        Breaker = options.Breaker.Enabled ? breakers.Get(Target, options.Breaker) : null;
        Random = random ?? System.Random.Shared.NextDouble;
        Endpoints = endpoints is not null && IsBalancedRoundRobin(options) ? endpoints.Get(Target, options) : null;
    }

    public string Name { get; }

    public GrpcMeshClientOptions Options { get; }

    public Uri Address { get; }

    /// <summary>The address as a telemetry tag and registry key, e.g. <c>http://127.0.0.1:5001</c>.</summary>
    public string Target { get; }

    public MethodCatalog Methods { get; }

    public TimeProvider Time { get; }

    public GrpcMeshClientTelemetry Telemetry { get; }

    public ILogger Logger { get; }

    public RetryBudget Budget { get; }

    public TargetCircuitBreaker? Breaker { get; }

    public Func<double> Random { get; }

    /// <summary>Endpoint state of a round-robin balanced target (<c>dns:///</c>, <c>static:///</c>); null otherwise.</summary>
    public EndpointTable? Endpoints { get; }

    /// <summary>The address names several endpoints (dns:/// or static:///) balanced by the client.</summary>
    public static bool IsBalanced(Uri address) => address.Scheme is "dns" or StaticAddress.Scheme;

    private static bool IsBalancedRoundRobin(GrpcMeshClientOptions options) =>
        IsBalanced(options.Address!) && options.LoadBalancing.Policy == GrpcMeshLoadBalancingOptions.RoundRobin;
}
