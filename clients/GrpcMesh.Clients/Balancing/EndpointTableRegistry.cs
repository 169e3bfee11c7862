using System.Collections.Concurrent;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Telemetry;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Clients.Balancing;

/// <summary>One <see cref="EndpointTable"/> per balanced target, shared by every client to it (DI singleton); disposing stops the health checks.</summary>
internal sealed class EndpointTableRegistry(TimeProvider time, GrpcMeshClientTelemetry telemetry, ILoggerFactory loggerFactory) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<EndpointTable>> _tables = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger(GrpcMeshClientTelemetry.MeterName);

    public EndpointTable Get(string target, GrpcMeshClientOptions options) =>
        _tables.GetOrAdd(target, t => new Lazy<EndpointTable>(() => Create(t, options))).Value;

    public void Dispose()
    {
        foreach (var table in _tables.Values.Where(t => t.IsValueCreated))
        {
            table.Value.Dispose();
        }
    }

    private EndpointTable Create(string target, GrpcMeshClientOptions options)
    {
        var health = options.HealthChecks;
        Func<EndpointTable, HealthMonitor>? monitor = health.Enabled
            ? table => new HealthMonitor(table, new GrpcHealthProbe(options.UseTls, TlsHostOf(options.Address!), health.ServiceName, options.Http, options.LoadBalancing), health, time)
            : null;
        return new EndpointTable(target, options.OutlierEjection, time, telemetry, _logger, monitor);
    }

    /// <summary>The name a dns:/// address resolves: the endpoints' certificates are issued for it.</summary>
    private static string? TlsHostOf(Uri address)
    {
        if (address.Scheme != "dns")
        {
            return null;
        }

        var name = address.AbsolutePath.TrimStart('/');
        var colon = name.LastIndexOf(':');
        return colon > 0 && !name.EndsWith(']') ? name[..colon] : name;
    }
}
