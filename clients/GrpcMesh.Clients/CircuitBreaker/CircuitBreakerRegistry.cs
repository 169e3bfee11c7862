using System.Collections.Concurrent;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Telemetry;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Clients.CircuitBreaker;

/// <summary>One <see cref="TargetCircuitBreaker"/> per target address, shared by every client to it (DI singleton).</summary>
internal sealed class CircuitBreakerRegistry(TimeProvider time, GrpcMeshClientTelemetry telemetry, ILoggerFactory loggerFactory)
{
    private readonly ConcurrentDictionary<string, Lazy<TargetCircuitBreaker>> _breakers = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger(GrpcMeshClientTelemetry.MeterName);

    public TargetCircuitBreaker Get(string target, GrpcMeshCircuitBreakerOptions options) =>
        _breakers.GetOrAdd(target, t => new Lazy<TargetCircuitBreaker>(() => new TargetCircuitBreaker(t, options, time, telemetry, _logger))).Value;
}
