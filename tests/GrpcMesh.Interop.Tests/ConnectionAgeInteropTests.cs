using System.Globalization;
using GrpcMesh.Interop.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;

namespace GrpcMesh.Interop.Tests;

/// <summary>
/// Connections:MaxAge (gRPC A9) as a non-.NET client sees it: one grpcio channel behind a per-connection balancer (what
/// a Kubernetes Service is) spreads over replicas added after it connected.
/// </summary>
public sealed class ConnectionAgeInteropTests
{
    private const int MaxAgeSeconds = 1;
    private const int WindowAges = 24;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ScaleOutFromOneToThreeReplicas_PythonChannelSpreadsWithinTwentyPercentAfterTwoMaxAges()
    {
        var settings = new Dictionary<string, string> { ["Connections:MaxAge"] = TimeSpan.FromSeconds(MaxAgeSeconds).ToString() };
        var replicas = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ServiceProcess.StartAsync(ServiceProcess.UserService, settings)));
        try
        {
            var summary = Assert.Single(await Python.RunAsync("connection_age_spread.py", TimeSpan.FromSeconds(120),
                "--backends", string.Join(',', replicas.Select(r => r.Target)),
                "--metrics", string.Join(',', replicas.Select(r => r.MetricsUrl)),
                "--max-age", MaxAgeSeconds.ToString(CultureInfo.InvariantCulture),
                "--window-ages", WindowAges.ToString(CultureInfo.InvariantCulture)));
            TestContext.Current.TestOutputHelper?.WriteLine(summary.ToString());

            Assert.Equal(0, summary.GetProperty("failure_count").GetInt32());
            var shares = summary.GetProperty("shares").EnumerateArray().Select(s => s.GetDouble()).ToList();
            Assert.All(shares, share => Assert.InRange(share, (1 / 3.0) * 0.8, (1 / 3.0) * 1.2));
            Assert.True(summary.GetProperty("calls").EnumerateArray().Sum(c => c.GetDouble()) > 100, summary.ToString());
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }
}
