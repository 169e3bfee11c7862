using GrpcMesh.Testing;

namespace GrpcMesh.OrderService.Tests;

public sealed class OptionsTests
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Startup_InvalidOrdersOptions_HostFailsToStart()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => OrderServiceHarness.StartAsync(new SqliteOrderStorage(), new Dictionary<string, string?>
        {
            ["Orders:UserServiceTimeout"] = "00:00:40",
            ["Orders:PendingSagaTimeout"] = "00:01:00",
        }));

        Assert.Contains("PendingSagaTimeout", ex.ToString(), StringComparison.Ordinal);
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("Orders:Watch:MaxBufferedEvents", "0", "MaxBufferedEvents")]
    [InlineData("Orders:Watch:PollInterval", "00:00:00", "PollInterval")]
    [InlineData("Storage:Provider", "Postgres", "ConnectionString")]
    public async Task Startup_InvalidWatchOrStorageOptions_HostFailsNamingTheKey(string key, string value, string expected)
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => OrderServiceHarness.StartAsync(new SqliteOrderStorage(), new Dictionary<string, string?>
        {
            [key] = value,
        }));

        Assert.Contains(expected, ex.ToString(), StringComparison.Ordinal);
    }
}
