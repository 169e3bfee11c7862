using System.Diagnostics;
using System.Text.RegularExpressions;
using Grpc.Core;
using GrpcMesh.Interop.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;

namespace GrpcMesh.Interop.Tests.Observability;

/// <summary>
/// <c>dotnet run --project services/GrpcMesh.Launcher -- stat --once</c> (the launcher's build output) against a running
/// UserService + OrderService under a paced load: a row per method with the rates sent, then, with UserService stopped,
/// the failures and the open breaker.
/// </summary>
public sealed partial class StatCommandTests
{
    private const double TicksPerSecond = 20;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Stat_MeshUnderLoadThenUserServiceDown_RowsShowRatesSuccessAndOpenBreaker()
    {
        await using var users = await ServiceProcess.StartAsync(ServiceProcess.UserService, new Dictionary<string, string>
        {
            ["Shutdown:DrainDelay"] = "00:00:00",
        });
        await using var orders = await ServiceProcess.StartAsync(ServiceProcess.OrderService, new Dictionary<string, string>
        {
            ["Clients:UserService:Address"] = $"static:///{users.Target}", // balanced: endpoint states to show
        });
        string[] targets = [$"UserService={users.MetricsUrl}", $"OrderService={orders.MetricsUrl}"];
        // A probe's call: grpc.* services (health, reflection) are not the mesh's and get no row.
        await Python.RunAsync("health_check.py", TimeSpan.FromSeconds(60), orders.Target, "");
        await using var load = await MeshLoad.StartAsync(users.Address, orders.Address, TicksPerSecond);
        // Past the warm-up (first calls JIT-compile both services and finish late, in a bunch): 3 s of completed calls.
        await Eventually.WaitAsync(() => load.Results.Count(r => r.Method == "CreateOrder") >= 3 * TicksPerSecond, "3 s of completed load");

        var (from, healthy, to) = await StatAsync(targets);
        TestContext.Current.TestOutputHelper?.WriteLine(healthy);

        // ±25 %: a steady paced load over a 3 s interval (≈ 60 calls per method); the bound allows for ticks and
        // completions falling on either side of the interval's edges on a loaded machine.
        Assert.DoesNotContain("Health/", healthy, StringComparison.Ordinal);
        var createOrder = Row(healthy, "OrderService", "OrderService/CreateOrder");
        AssertRate(load.RateSent("CreateOrder", from, to), createOrder[2], "OrderService CreateOrder");
        AssertRate(load.RateSent("GetOrder", from, to), Row(healthy, "OrderService", "OrderService/GetOrder")[2], "OrderService GetOrder");
        foreach (var method in new[] { "GetUser", "ReserveCredit" })
        {
            AssertRate(load.RateSent("CreateOrder", from, to), Row(healthy, "UserService", $"UserService/{method}")[2], $"UserService {method}");
            Assert.Equal("100.00%", Row(healthy, "UserService", $"UserService/{method}")[3]);
            Assert.Equal("100.00%", Row(healthy, "OrderService", $"UserService/{method}")[3]); // OrderService's calls to it
        }

        // NOT_FOUND (GetOrder of unknown orders) is a business outcome, not a failure.
        Assert.Equal("100.00%", createOrder[3]);
        Assert.Equal("100.00%", Row(healthy, "OrderService", "OrderService/GetOrder")[3]);
        Assert.Matches(LatencyCell(), createOrder[4]);
        Assert.Matches(LatencyCell(), createOrder[5]);
        var target = Row(healthy, "OrderService", $"static:///{users.Target}");
        Assert.Equal("closed", target[2]);
        Assert.Equal("1 ready", target[5]);

        users.Terminate();
        Assert.True(await users.WaitForExitAsync(TimeSpan.FromSeconds(30)), "UserService did not exit on SIGTERM");
        var stoppedAt = DateTimeOffset.UtcNow;
        // The breaker opens once failures are half of its 10 s sampling window (the healthy calls before the stop included).
        await Eventually.WaitAsync(() => load.Results.Any(r => r.Method == "CreateOrder" && r.Sent > stoppedAt && r.Status == StatusCode.Unavailable
                && r.Detail.Contains("circuit", StringComparison.OrdinalIgnoreCase)),
            "OrderService's breaker to UserService to open (CreateOrder answering UNAVAILABLE, circuit open)");

        var (_, down, _) = await StatAsync(targets);
        TestContext.Current.TestOutputHelper?.WriteLine(down);

        Assert.Equal("0.00%", Row(down, "OrderService", "OrderService/CreateOrder")[3]);
        Assert.Equal("100.00%", Row(down, "OrderService", "OrderService/GetOrder")[3]);
        var breaker = Row(down, "OrderService", $"static:///{users.Target}");
        // grpcmesh.client.breaker.state: open, or half_open if the scrape fell while a probe was out (one per BreakDuration, 5 s).
        Assert.Contains(breaker[2], new[] { "open", "half_open" });
        Assert.True(double.Parse(breaker[3], System.Globalization.CultureInfo.InvariantCulture) > 0, $"no rejections in: {string.Join(" | ", breaker)}");
        Assert.Contains(down.Split('\n'), l => l.StartsWith("! UserService:", StringComparison.Ordinal) && l.Contains("did not answer", StringComparison.Ordinal));
    }

    private static async Task<(DateTimeOffset From, string Output, DateTimeOffset To)> StatAsync(string[] targets)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { LauncherProcess.Dll, "stat", "--once", "--interval", "3s" }.Concat(targets))
        {
            start.ArgumentList.Add(argument);
        }

        var from = DateTimeOffset.UtcNow;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60));
        var to = DateTimeOffset.UtcNow;
        Assert.True(process.ExitCode == 0, $"stat exited {process.ExitCode}: {await error}\n{await output}");
        return (from, await output, to);
    }

    /// <summary>The cells of the line whose first two columns are <paramref name="first"/> and <paramref name="second"/>.</summary>
    private static string[] Row(string table, string first, string second)
    {
        var rows = table.Split('\n').Select(l => Columns().Split(l.Trim())).Where(c => c.Length >= 3 && c[0] == first && c[1] == second).ToList();
        Assert.True(rows.Count == 1, $"expected one row '{first} {second}' in:\n{table}");
        return rows[0];
    }

    private static void AssertRate(double sent, string shown, string what)
    {
        var rate = double.Parse(shown, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(rate > 0 && Math.Abs(rate - sent) <= 0.25 * sent, $"{what}: stat shows {rate:0.0}/s, the load sent {sent:0.0}/s (±25 % allowed)");
    }

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex Columns();

    [GeneratedRegex(@"^\d+\.\d(ms|s)$")]
    private static partial Regex LatencyCell();
}
