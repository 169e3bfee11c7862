using System.Diagnostics;
using System.Text.Json;
using GrpcMesh.Interop.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Interop.Tests;

/// <summary>
/// SIGTERM under load, seen by Python clients: readiness turns NOT_SERVING at once, calls keep succeeding during
/// the drain delay, calls still open when the listeners close finish OK, and the process exits 0 in time, having
/// logged nothing at Error or above from start to exit (a drain is the normal way to stop).
/// </summary>
public sealed class DrainInteropTests
{
    private static readonly TimeSpan DrainDelay = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Sigterm_UnderHealthAndStreamingLoad_DrainsAndExitsZero()
    {
        await RunAsync("health");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Sigterm_UnderCreateUserGetUserLoad_DrainsAndExitsZero()
    {
        await RunAsync("user");
    }

    private static async Task RunAsync(string load)
    {
        await using var service = await ServiceProcess.StartAsync(ServiceProcess.UserService, new Dictionary<string, string>
        {
            ["Reflection:Enabled"] = "true",
            ["Shutdown:DrainDelay"] = DrainDelay.ToString(),
            ["Shutdown:Timeout"] = ShutdownTimeout.ToString(),
        });
        var sigterm = Stopwatch.StartNew();

        var summary = Assert.Single(await Python.RunAsync("drain_under_load.py", TimeSpan.FromSeconds(90),
            service.Target, service.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--drain-seconds", DrainDelay.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--load", load));
        TestContext.Current.TestOutputHelper?.WriteLine($"client view: {summary}");
        var exited = await service.WaitForExitAsync(DrainDelay + ShutdownTimeout + TimeSpan.FromSeconds(10));

        Assert.False(summary.TryGetProperty("error", out _), summary.ToString());
        Assert.True(summary.GetProperty("not_serving_after_seconds").ValueKind == JsonValueKind.Number, "Check(\"\") never reported NOT_SERVING");
        Assert.True(summary.GetProperty("not_serving_after_seconds").GetDouble() < 1.0, summary.ToString());
        Assert.Empty(summary.GetProperty("unary_failures").EnumerateArray());
        Assert.True(summary.GetProperty("listeners_closed_after_seconds").ValueKind == JsonValueKind.Number, "the service never stopped accepting connections");
        Assert.True(summary.GetProperty("listeners_closed_after_seconds").GetDouble() >= DrainDelay.TotalSeconds - 0.05,
            $"listeners closed before the drain delay was over: {summary}");
        Assert.True(summary.GetProperty("unary_ok_after_sigterm").GetInt32() > 0, "no call was served during the drain delay");
        Assert.All(summary.GetProperty("streams").EnumerateArray(), stream =>
        {
            Assert.Equal("OK", stream.GetProperty("status").GetString());
            Assert.Equal(stream.GetProperty("sent").GetInt32(), stream.GetProperty("responses").GetInt32());
        });
        var watched = summary.GetProperty("watch").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Equal("SERVING", watched.First());
        Assert.Equal("NOT_SERVING", watched.Last());
        Assert.True(summary.GetProperty("watch_ended").GetBoolean(), "Watch must end when the service shuts down");
        Assert.True(exited, "the service did not exit after SIGTERM");
        Assert.Equal(0, service.ExitCode);
        TestContext.Current.TestOutputHelper?.WriteLine($"process exited {sigterm.Elapsed.TotalSeconds:F2} s after the load script started");
        Assert.True(sigterm.Elapsed < DrainDelay + ShutdownTimeout + TimeSpan.FromSeconds(10));
        Assert.Contains(service.OutputLines, line => line.Contains("\"EventId\":1100", StringComparison.Ordinal));
        Assert.Empty(service.LinesAtOrAbove(LogLevel.Error));
    }
}
