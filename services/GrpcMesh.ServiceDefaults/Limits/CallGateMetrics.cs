using System.Diagnostics.Metrics;
using GrpcMesh.ServiceDefaults.Telemetry;

namespace GrpcMesh.ServiceDefaults.Limits;

/// <summary>
/// Gauges of the <see cref="CallGate"/> on the <see cref="GrpcMeshTelemetry.RpcMeterName"/> meter:
/// <c>grpcmesh.server.concurrency_limit</c> (unary calls allowed to run at once, the adaptive limit's current value),
/// <c>grpcmesh.server.calls_running</c> and <c>grpcmesh.server.calls_queued</c>.
/// </summary>
internal static class CallGateMetrics
{
    public static CallGate Observe(this CallGate gate, IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(GrpcMeshTelemetry.RpcMeterName);
        meter.CreateObservableGauge("grpcmesh.server.concurrency_limit", () => gate.Limit, "{call}", "Unary calls allowed to run at once.");
        meter.CreateObservableGauge("grpcmesh.server.calls_running", () => gate.Running, "{call}", "Unary calls running under the concurrency limit.");
        meter.CreateObservableGauge("grpcmesh.server.calls_queued", () => gate.Queued, "{call}", "Unary calls waiting for a slot.");
        return gate;
    }
}
