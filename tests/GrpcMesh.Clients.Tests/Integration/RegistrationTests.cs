using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Tests.Fakes;
using GrpcMesh.Order.V1;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrpcMesh.Clients.Tests.Integration;

public sealed class RegistrationTests
{
    [Fact(Timeout = TestTimeouts.Default)]
    public Task AddUserServiceClient_NoConfiguration_DefaultsApply() => TestTimeouts.RunSync(() =>
    {
        var services = new ServiceCollection();
        services.AddUserServiceClient();
        services.AddOrderServiceClient();
        using var provider = services.BuildServiceProvider();

        var monitor = provider.GetRequiredService<IOptionsMonitor<GrpcMeshClientOptions>>();
        var users = monitor.Get(GrpcMeshClientNames.UserService);
        Assert.Equal(new Uri("http://127.0.0.1:5001"), users.Address);
        Assert.Equal(new Uri("http://127.0.0.1:5002"), monitor.Get(GrpcMeshClientNames.OrderService).Address);
        Assert.Equal(TimeSpan.FromSeconds(5), users.DefaultDeadline);
        Assert.Equal(3, users.Retry.MaxAttempts);
        Assert.Equal(0.1, users.Retry.BudgetRatio);
        Assert.Equal(10, users.Retry.BudgetMinRetriesPerSecond);
        Assert.NotNull(provider.GetRequiredService<UserService.UserServiceClient>());
        Assert.NotNull(provider.GetRequiredService<OrderService.OrderServiceClient>());
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task AddUserServiceClient_HostConfiguration_BindsClientsUserServiceSection() => TestTimeouts.RunSync(() =>
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Clients:UserService:Address"] = "http://10.1.2.3:7001",
            ["Clients:UserService:DefaultDeadline"] = "00:00:02",
            ["Clients:UserService:MethodDeadlines:GetUser"] = "00:00:00.500",
            ["Clients:UserService:Retry:MaxAttempts"] = "4",
            ["Clients:UserService:Breaker:BreakDuration"] = "00:00:30",
            ["Clients:UserService:Http:KeepAlivePingDelay"] = "00:00:20",
        });
        builder.Services.AddUserServiceClient(o => o.Retry.JitterFactor = 0.1);
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptionsMonitor<GrpcMeshClientOptions>>().Get(GrpcMeshClientNames.UserService);

        Assert.Equal(new Uri("http://10.1.2.3:7001"), options.Address);
        Assert.Equal(TimeSpan.FromSeconds(2), options.DefaultDeadline);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.MethodDeadlines["GetUser"]);
        Assert.Equal(4, options.Retry.MaxAttempts);
        Assert.Equal(0.1, options.Retry.JitterFactor);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Breaker.BreakDuration);
        Assert.Equal(TimeSpan.FromSeconds(20), options.Http.KeepAlivePingDelay);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task AddOrderServiceClient_ExplicitConfiguration_BindsClientsOrderServiceSection() => TestTimeouts.RunSync(() =>
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Clients:OrderService:Address"] = "http://10.9.9.9:7002",
        }).Build();
        var services = new ServiceCollection();
        services.AddOrderServiceClient(configuration);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<GrpcMeshClientOptions>>().Get(GrpcMeshClientNames.OrderService);

        Assert.Equal(new Uri("http://10.9.9.9:7002"), options.Address);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task StartAsync_InvalidOptions_FailsNamingEveryBadSetting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddUserServiceClient(o =>
        {
            o.Address = new Uri("ftp://127.0.0.1:5001");
            o.DefaultDeadline = TimeSpan.Zero;
            o.Retry.MaxAttempts = 0;
            o.Retry.InitialBackoff = TimeSpan.FromSeconds(3);
            o.Retry.MaxBackoff = TimeSpan.FromSeconds(1);
            o.Breaker.FailureRatio = 2;
            o.MethodDeadlines["NoSuchMethod"] = TimeSpan.FromSeconds(1);
            o.Retry.MethodPerAttemptTimeouts["GetUser"] = TimeSpan.Zero;
            o.Hedging.MinDelay = TimeSpan.FromMicroseconds(500);
            o.Hedging.MaxAttempts = 1;
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        var message = string.Join("\n", error.Failures);
        Assert.Contains("DefaultDeadline", message, StringComparison.Ordinal);
        Assert.Contains("Clients:UserService:Address", message, StringComparison.Ordinal);
        Assert.Contains("Clients:UserService:Retry:MaxAttempts", message, StringComparison.Ordinal);
        Assert.Contains("Clients:UserService:Retry:MaxBackoff", message, StringComparison.Ordinal);
        Assert.Contains("Clients:UserService:Breaker:FailureRatio", message, StringComparison.Ordinal);
        Assert.Contains("Clients:UserService:MethodDeadlines:NoSuchMethod", message, StringComparison.Ordinal);
        Assert.Contains("Clients:UserService:Retry:MethodPerAttemptTimeouts:GetUser must be positive", message, StringComparison.Ordinal);
        Assert.Contains("Clients:UserService:Hedging:MinDelay", message, StringComparison.Ordinal);
        Assert.Contains("Clients:UserService:Hedging:MaxAttempts", message, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task StartAsync_MissingAddressFromConfiguration_Fails()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddUserServiceClient(o => o.Address = null);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Address", string.Join("\n", error.Failures), StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AddUserServiceClient_TestServerHandler_CallsGoThroughTheInjectedHandler()
    {
        await using var app = await StartFakeUserServiceAsync();
        var counting = new CountingHandler();
        var services = new ServiceCollection();
        services.AddUserServiceClient(o => o.Address = new Uri("http://localhost"))
            .ConfigurePrimaryHttpMessageHandler(() => app.GetTestServer().CreateHandler())
            .AddHttpMessageHandler(() => counting);
        await using var provider = services.BuildServiceProvider();

        var response = await provider.GetRequiredService<UserService.UserServiceClient>().GetUserAsync(new GetUserRequest { UserId = "u7" });

        Assert.Equal("u7", response.User.Id);
        Assert.Equal(1, counting.Count);
        Assert.Equal(1, app.Services.GetRequiredService<FakeUserBackend>().CallCount);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AddUserServiceClient_Call_NoHttpClientFactoryLoggingButGrpcLogs()
    {
        await using var app = await StartFakeUserServiceAsync();
        var recorder = new LogCategoryRecorder();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(recorder));
        services.AddUserServiceClient(o => o.Address = new Uri("http://localhost"))
            .ConfigurePrimaryHttpMessageHandler(() => app.GetTestServer().CreateHandler());
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<UserService.UserServiceClient>().GetUserAsync(new GetUserRequest { UserId = "u8" });

        Assert.Contains(recorder.Categories, c => c.StartsWith("Grpc.Net.Client", StringComparison.Ordinal));
        Assert.DoesNotContain(recorder.Categories, c => c.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AddUserServiceClient_DnsAddress_ResolvesAndCalls()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        using var harness = new ClientHarness(new Uri($"dns:///localhost:{server.Address.Port}"));

        var response = await harness.Client.GetUserAsync(new GetUserRequest { UserId = "dns" });

        Assert.Equal("dns", response.User.Id);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public Task CreatePrimaryHandler_Options_AppliedToSocketsHttpHandler() => TestTimeouts.RunSync(() =>
    {
        var options = new GrpcMeshHttpOptions { KeepAlivePingDelay = TimeSpan.FromSeconds(15), PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) };

        using var handler = GrpcMeshClientServiceCollectionExtensions.CreatePrimaryHandler(options);

        Assert.True(handler.EnableMultipleHttp2Connections);
        Assert.Equal(TimeSpan.FromSeconds(15), handler.KeepAlivePingDelay);
        Assert.Equal(TimeSpan.FromMinutes(1), handler.PooledConnectionIdleTimeout);
    }, TestContext.Current.CancellationToken);

    /// <summary>A fake UserService on the in-memory TestServer, for clients pointed at it through its handler.</summary>
    private static async Task<WebApplication> StartFakeUserServiceAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<FakeUserBackend>();
        var app = builder.Build();
        app.MapGrpcService<FakeUserService>();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }
}
