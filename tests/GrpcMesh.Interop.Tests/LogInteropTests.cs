using System.Diagnostics;
using System.Text.Json;
using GrpcMesh.Interop.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;

namespace GrpcMesh.Interop.Tests;

/// <summary>The real process writes one JSON object per line, and request logs carry the caller's trace id.</summary>
public sealed class LogInteropTests
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Logs_CallWithTraceparent_JsonLinesWithCallersTraceId()
    {
        await using var service = await ServiceProcess.StartAsync(ServiceProcess.UserService, new Dictionary<string, string>
        {
            ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
        });
        var traceId = ActivityTraceId.CreateRandom().ToString();
        var traceparent = $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01";

        await Python.RunAsync("health_check.py", TimeSpan.FromSeconds(60), service.Target, "--metadata", $"traceparent={traceparent}", "");

        JsonElement requestLine = default;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!TryFindRequestLog(service, traceId, out requestLine))
        {
            Assert.True(DateTime.UtcNow < deadline, "no request log line with the caller's trace id:\n" + string.Join('\n', service.OutputLines));
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        var scope = requestLine.GetProperty("Scopes").EnumerateArray().First(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("SpanId", out _));
        Assert.Matches("^[0-9a-f]{16}$", scope.GetProperty("SpanId").GetString());
        Assert.All(service.JsonLogLines(), line => Assert.Equal(JsonValueKind.Object, line.ValueKind));
    }

    private static bool TryFindRequestLog(ServiceProcess service, string traceId, out JsonElement line)
    {
        line = service.JsonLogLines().FirstOrDefault(l =>
            l.GetProperty("Category").GetString() == "Microsoft.AspNetCore.Hosting.Diagnostics"
            && l.GetProperty("Scopes").EnumerateArray().Any(s => s.ValueKind == JsonValueKind.Object
                && s.TryGetProperty("TraceId", out var id) && id.GetString() == traceId));
        return line.ValueKind == JsonValueKind.Object;
    }
}
