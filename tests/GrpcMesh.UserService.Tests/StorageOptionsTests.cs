using GrpcMesh.Storage.Caching;
using GrpcMesh.UserService.Domain;
using GrpcMesh.UserService.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.UserService.Tests;

/// <summary>The <c>Storage</c> section is validated at start-up, before any database is touched.</summary>
public sealed class StorageOptionsTests
{
    public static TheoryData<string?, string> BadPostgresSettings => new()
    {
        { null, "Storage:ConnectionString is required when Storage:Provider is Postgres" },
        { "  ", "Storage:ConnectionString is required when Storage:Provider is Postgres" },
        { "Hots=db;Database=grpcmesh", "not a valid PostgreSQL connection string" },
        { "Database=grpcmesh;Username=grpcmesh", "must name a Host" },
    };

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(BadPostgresSettings))]
    public Task Start_PostgresWithoutUsableConnectionString_FailsWithClearMessage(string? connectionString, string expected) => TestTimeouts.RunSync(() =>
    {
        using var host = UserServiceHosts.Create(settings: new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = connectionString,
        });

        var ex = Assert.ThrowsAny<Exception>(() => host.Server);
        Assert.Contains(expected, ex.ToString(), StringComparison.Ordinal);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Start_UnknownProvider_FailsNamingTheChoices() => TestTimeouts.RunSync(() =>
    {
        using var host = UserServiceHosts.Create(settings: new Dictionary<string, string?> { ["Storage:Provider"] = "Oracle" });

        var ex = Assert.ThrowsAny<Exception>(() => host.Server);
        Assert.Contains("Oracle", ex.ToString(), StringComparison.Ordinal);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Start_ReadCacheWithoutEntries_FailsNamingTheKey() => TestTimeouts.RunSync(() =>
    {
        using var host = UserServiceHosts.Create(settings: new Dictionary<string, string?> { ["Storage:ReadCache:MaxEntries"] = "0" });

        var ex = Assert.ThrowsAny<Exception>(() => host.Server);
        Assert.Contains("MaxEntries", ex.ToString(), StringComparison.Ordinal);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReadCacheDisabled_GetUserReadsTheStoreEveryTime()
    {
        using var data = new TempDirectory("grpcmesh-nocache");
        using var host = UserServiceHosts.Create(dataDirectory: data.Path, settings: new Dictionary<string, string?> { ["Storage:ReadCache:Enabled"] = "false" });
        var client = new UserServiceClient(host.Channel);
        var user = (await client.CreateUserAsync(Requests.NewUser(), cancellationToken: TestContext.Current.CancellationToken)).User;

        Assert.Equal(user, (await client.GetUserAsync(new GetUserRequest { UserId = user.Id }, cancellationToken: TestContext.Current.CancellationToken)).User);
        Assert.IsNotType<CachedUserStore>(host.Services.GetRequiredService<IUserStore>());
        Assert.Equal(0, host.Services.GetRequiredService<ReadCache<UserAccount>>().Count);
    }
}
