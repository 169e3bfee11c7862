using System.Collections.Concurrent;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Telemetry;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Clients.Resilience;

/// <summary>One <see cref="CircuitBreaker"/> per target, shared by every client to it (DI singleton); the first client's settings apply.</summary>
internal sealed class CircuitBreakerRegistry(TimeProvider time, GrpcMeshClientTelemetry telemetry, ILoggerFactory loggerFactory)
{
    private readonly ConcurrentDictionary<string, Lazy<CircuitBreaker>> _breakers = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger(GrpcMeshClientTelemetry.MeterName);

    public CircuitBreaker Get(string target, GrpcMeshCircuitBreakerOptions options) =>
        _breakers.GetOrAdd(target, t => new Lazy<CircuitBreaker>(() => new CircuitBreaker(t, options, time, telemetry, _logger))).Value;
}
