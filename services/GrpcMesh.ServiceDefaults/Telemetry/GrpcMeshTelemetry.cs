namespace GrpcMesh.ServiceDefaults.Telemetry;

/// <summary>Meter, instrument and activity source names GrpcMesh emits (stable; dashboards depend on them).</summary>
public static class GrpcMeshTelemetry
{
    /// <summary>Meter with <see cref="ServerCallDuration"/> and <see cref="ClientCallDuration"/>.</summary>
    public const string RpcMeterName = "GrpcMesh.Rpc";

    /// <summary>Meter of the resilient clients (retries, retry budget exhaustion, breaker state changes).</summary>
    public const string ClientsMeterName = "GrpcMesh.Clients";

    /// <summary>Every GrpcMesh meter and activity source starts with this prefix; all are exported.</summary>
    public const string NamePattern = "GrpcMesh.*";

    /// <summary>Histogram (seconds) of handled calls, tagged rpc.system, rpc.service, rpc.method, rpc.grpc.status_code.</summary>
    public const string ServerCallDuration = "rpc.server.call.duration";

    /// <summary>Histogram (seconds) of outgoing calls made through Grpc.Net.ClientFactory clients, same tags.</summary>
    public const string ClientCallDuration = "rpc.client.call.duration";

    public const string SystemTag = "rpc.system";
    public const string ServiceTag = "rpc.service";
    public const string MethodTag = "rpc.method";
    public const string StatusCodeTag = "rpc.grpc.status_code";

    /// <summary>IConfiguration flag that makes the ASP.NET Core instrumentation add rpc.* attributes to gRPC server spans.</summary>
    internal const string AspNetCoreGrpcInstrumentationFlag = "OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_ENABLE_GRPC_INSTRUMENTATION";
}
