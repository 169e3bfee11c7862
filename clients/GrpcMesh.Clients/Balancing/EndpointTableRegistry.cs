using System.Collections.Concurrent;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Target;
using GrpcMesh.Clients.Telemetry;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Clients.Balancing;

/// <summary>One <see cref="EndpointTable"/> per balanced target, shared by every client to it (DI singleton); disposing stops the health checks.</summary>
internal sealed class EndpointTableRegistry(TimeProvider time, GrpcMeshClientTelemetry telemetry, ILoggerFactory loggerFactory) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<EndpointTable>> _tables = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger(GrpcMeshClientTelemetry.MeterName);

    public EndpointTable Get(ClientTarget target, GrpcMeshClientOptions options) =>
        _tables.GetOrAdd(target.Key, _ => new Lazy<EndpointTable>(() => Create(target, options))).Value;

    /// <summary>The table of a target key if one was created (tests and diagnostics).</summary>
    public EndpointTable? Find(string targetKey) =>
        _tables.TryGetValue(targetKey, out var table) && table.IsValueCreated ? table.Value : null;

    public void Dispose()
    {
        foreach (var table in _tables.Values.Where(t => t.IsValueCreated))
        {
            table.Value.Dispose();
        }
    }

    private EndpointTable Create(ClientTarget target, GrpcMeshClientOptions options)
    {
        var health = options.HealthChecks;
        Func<EndpointTable, HealthMonitor>? monitor = health.Enabled
            ? table => new HealthMonitor(table, new GrpcHealthProbe(target.UseTls, target.TlsHost, health.ServiceName, options.Http, options.LoadBalancing), health, time, _logger)
            : null;
        return new EndpointTable(target.Key, options.OutlierEjection, time, telemetry, _logger, monitor, options.LoadBalancing);
    }
}
