namespace GrpcMesh.Launcher;

/// <summary>The one plain block printed once every service is SERVING: addresses, a token and a line to paste.</summary>
internal static class Banner
{
    public static string Create(IReadOnlyList<MeshService> services, string token)
    {
        var width = services.Max(s => s.Name.Length);
        var lines = new List<string> { "", "GrpcMesh is up (Development: tokens are signed with the development key)." };
        lines.AddRange(services.Select(s => $"  {s.Name.PadRight(width)}  {s.Address.ToString().TrimEnd('/')}  SERVING (h2c, reflection on)" +
            (s.HttpAddress is { } http ? $"; JSON API and gRPC-Web at {http.ToString().TrimEnd('/')}" : "")));
        lines.Add("");
        lines.Add("Token (every scope, 12 h; other scopes: dotnet run --project services/GrpcMesh.Launcher -- token --scope users.read):");
        lines.Add($"  export GRPCMESH_TOKEN={token}");
        lines.Add("Try:");
        lines.Add($"  grpcurl -plaintext -H \"authorization: Bearer $GRPCMESH_TOKEN\" -d '{{\"page_size\":10}}' {services[0].Target} grpcmesh.user.v1.UserService/ListUsers");
        if (services.All(s => s.Environment.GetValueOrDefault("Telemetry__PrometheusPort") is { } port && port != "0"))
        {
            lines.Add("Golden signals per method, refreshed every 5 s (metrics on " +
                string.Join(", ", services.Select(s => $"127.0.0.1:{s.Environment["Telemetry__PrometheusPort"]}")) + "):");
            lines.Add("  dotnet run --project services/GrpcMesh.Launcher -- stat");
        }

        lines.Add("");
        lines.Add("Service logs below: warnings and errors only (every line: dotnet run --project services/GrpcMesh.Launcher -- --verbose).");
        lines.Add("Ctrl+C stops the mesh.");
        return string.Join(Environment.NewLine, lines);
    }
}
