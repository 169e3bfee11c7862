namespace GrpcMesh.ServiceDefaults.Telemetry;

/// <summary>Meter, instrument and activity source names GrpcMesh emits (stable; dashboards depend on them).</summary>
public static class GrpcMeshTelemetry
{
    /// <summary>Meter with <see cref="ServerCallDuration"/>.</summary>
    public const string RpcMeterName = "GrpcMesh.Rpc";

    /// <summary>
    /// Every GrpcMesh meter and activity source starts with this prefix; all are exported (e.g. the clients' meter,
    /// GrpcMesh.Clients, with rpc.client.call.duration and the resilience counters).
    /// </summary>
    public const string NamePattern = "GrpcMesh.*";

    /// <summary>Histogram (seconds) of handled calls, tagged rpc.system, rpc.service, rpc.method, rpc.grpc.status_code.</summary>
    public const string ServerCallDuration = "rpc.server.call.duration";

    public const string SystemTag = "rpc.system";
    public const string ServiceTag = "rpc.service";
    public const string MethodTag = "rpc.method";
    public const string StatusCodeTag = "rpc.grpc.status_code";

    /// <summary>IConfiguration flag that makes the ASP.NET Core instrumentation add rpc.* attributes to gRPC server spans.</summary>
    internal const string AspNetCoreGrpcInstrumentationFlag = "OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_ENABLE_GRPC_INSTRUMENTATION";
}
