using Grpc.Core.Interceptors;
using GrpcMesh.OrderService.Saga;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.OrderService.Tests.Fakes;
using GrpcMesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrderServiceClient = GrpcMesh.Order.V1.OrderService.OrderServiceClient;
using GrpcMesh.Clients;

namespace GrpcMesh.OrderService.Tests;

/// <summary>
/// OrderService in memory (TestServer) on its own SQLite data directory, talking to a fake UserService, with a
/// <see cref="FakeTimeProvider"/> driving order timestamps, backoff and the sweeper. The UserService wiring lives in
/// <see cref="PointUserServiceClientAt"/> only, so it can be retargeted at the real UserService.
/// </summary>
public sealed class OrderServiceHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset StartTime = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _data = new("grpcmesh-orders");
    private readonly Dictionary<string, string?> _settings;

    private OrderServiceHarness(FakeUserServiceHost users, IReadOnlyDictionary<string, string?>? settings)
    {
        UserService = users;
        _settings = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = _data.Path,
            ["Logging:LogLevel:Default"] = "Error",
            // Background ticks never fire from the small clock advances in tests; tests call RunOnceAsync instead.
            ["Orders:SweepInterval"] = "01:00:00",
            ["Orders:PendingSagaTimeout"] = "00:01:00",
            ["Orders:CompensationRetryDelay"] = "00:00:01",
            ["Orders:CompensationRetryMaxDelay"] = "00:00:30",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        Host = CreateHost();
    }

    public FakeTimeProvider Time { get; } = new(StartTime);

    public FakeUserServiceHost UserService { get; }

    public FakeUserBackend Users => UserService.Backend;

    public GrpcTestHost<OrderServiceMarker> Host { get; private set; }

    public OrderServiceClient Orders => new(Host.Channel.Intercept(new TestCancellationInterceptor()));

    public IOrderStore Store => Host.Services.GetRequiredService<IOrderStore>();

    public SagaSweeper Sweeper => Host.Services.GetRequiredService<SagaSweeper>();

    public static async Task<OrderServiceHarness> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var harness = new OrderServiceHarness(await FakeUserServiceHost.StartAsync(), settings);
        try
        {
            await harness.StartHostAsync();
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }

        return harness;
    }

    /// <summary>Stops the OrderService host and starts a new one on the same data directory and clock.</summary>
    public async Task RestartAsync()
    {
        await Host.DisposeAsync();
        Host = CreateHost();
        await StartHostAsync();
    }

    /// <summary>Runs one sweep now (the background loop only ticks hourly in tests).</summary>
    public Task<SweepResult> SweepAsync() => Sweeper.RunOnceAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await UserService.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>Starts the host (options validation, schema migration) and waits out the sweep it runs at start.</summary>
    private Task StartHostAsync()
    {
        _ = Host.Server;
        return Sweeper.FirstSweep.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Points the production UserService client (GrpcMesh.Clients pipeline: deadline, retry, breaker) at the fake's
    /// in-memory handler instead of a socket.
    /// </summary>
    public static void PointUserServiceClientAt(IServiceCollection services, FakeUserServiceHost userService) =>
        GrpcMeshTestClients.PointAt(services, GrpcMeshClientNames.UserService, userService.Address, userService.CreateHandler);

    private GrpcTestHost<OrderServiceMarker> CreateHost() => new(_settings, services =>
    {
        services.AddSingleton<TimeProvider>(Time);
        PointUserServiceClientAt(services, UserService);
    });
}
