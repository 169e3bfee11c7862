namespace GrpcMesh.Launcher;

/// <summary>
/// Where the mesh's services serve Prometheus metrics (<c>Telemetry:PrometheusPort</c>, loopback): fixed ports the
/// <c>stat</c> command reads by default. When the gRPC addresses are moved (<c>--user-url</c>/<c>--order-url</c>, e.g.
/// because the defaults are taken) the metrics move to a free port too, so two meshes never collide.
/// </summary>
internal static class MeshMetrics
{
    public const int UserServicePort = 9101;
    public const int OrderServicePort = 9102;

    public static Dictionary<string, string> Environment(int port) => new()
    {
        ["Telemetry__PrometheusPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Telemetry__PrometheusAddress"] = "127.0.0.1",
    };
}
