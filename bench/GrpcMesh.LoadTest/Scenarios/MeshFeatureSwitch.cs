namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>
/// How to start UserService without one of its features, for the mesh-tax scenarios (<c>userservice-no{Name}</c>):
/// the feature's cost is the full stack's req/s against the req/s without it, in one run.
/// </summary>
internal sealed record MeshFeatureSwitch(string Name, string Description, string[] Arguments, IReadOnlyDictionary<string, string>? Environment = null)
{
    public static IReadOnlyList<MeshFeatureSwitch> All { get; } =
    [
        new("auth", "bearer-token authentication and scopes off (Auth:Enabled=false)", ["--Auth:Enabled", "false"]),
        new("telemetry", "OpenTelemetry SDK off (OTEL_SDK_DISABLED=true: no-op tracer and meter providers)", [],
            new Dictionary<string, string> { ["OTEL_SDK_DISABLED"] = "true" }),
        new("limiter", "per-caller rate limiter off (Limits:PermitsPerSecond=0)", ["--Limits:PermitsPerSecond", "0"]),
        new("cache", "read cache off (Storage:ReadCache:Enabled=false): every GetUser reads SQLite", ["--Storage:ReadCache:Enabled", "false"]),
    ];
}
