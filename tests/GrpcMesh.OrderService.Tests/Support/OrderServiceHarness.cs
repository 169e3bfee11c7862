using Grpc.Core.Interceptors;
using GrpcMesh.Clients;
using GrpcMesh.OrderService.Events;
using GrpcMesh.OrderService.Saga;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.OrderService.Tests.Fakes;
using GrpcMesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrderServiceClient = GrpcMesh.Order.V1.OrderService.OrderServiceClient;

namespace GrpcMesh.OrderService.Tests.Support;

/// <summary>
/// OrderService in memory (TestServer) on a fresh store of the given provider, talking to a fake UserService, with a
/// <see cref="FakeTimeProvider"/> driving order timestamps, backoff and the sweeper (event polling stays on the real clock,
/// with a short interval). <see cref="AddReplica"/> starts more hosts on the same store and fake UserService. The UserService
/// wiring lives in <see cref="PointUserServiceClientAt"/> only, so it can be retargeted at the real UserService.
/// </summary>
public sealed class OrderServiceHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset StartTime = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly OrderTestStore _store;
    private readonly Dictionary<string, string?> _settings;
    private readonly List<GrpcTestHost<OrderServiceMarker>> _replicas = [];

    private OrderServiceHarness(FakeUserServiceHost users, OrderTestStore store, IReadOnlyDictionary<string, string?>? settings)
    {
        UserService = users;
        _store = store;
        _settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Error",
            // Every stop would otherwise wait the drain delay (on the fake clock: until the shutdown timeout).
            ["Shutdown:DrainDelay"] = "00:00:00",
            // Background ticks never fire from the small clock advances in tests; tests call RunOnceAsync instead.
            ["Orders:SweepInterval"] = "01:00:00",
            ["Orders:PendingSagaTimeout"] = "00:01:00",
            ["Orders:CompensationRetryDelay"] = "00:00:01",
            ["Orders:CompensationRetryMaxDelay"] = "00:00:30",
            ["Orders:Watch:PollInterval"] = "00:00:00.050",
        };
        foreach (var (key, value) in store.Settings.Concat(settings ?? new Dictionary<string, string?>()))
        {
            _settings[key] = value;
        }

        Host = CreateHost();
    }

    public FakeTimeProvider Time { get; } = new(StartTime);

    public FakeUserServiceHost UserService { get; }

    public FakeUserBackend Users => UserService.Backend;

    public GrpcTestHost<OrderServiceMarker> Host { get; private set; }

    public OrderTestStore TestStore => _store;

    public OrderServiceClient Orders => Client(Host);

    public IOrderStore Store => Host.Services.GetRequiredService<IOrderStore>();

    public SagaSweeper Sweeper => Host.Services.GetRequiredService<SagaSweeper>();

    public OrderEventHub Hub => Host.Services.GetRequiredService<OrderEventHub>();

    public static async Task<OrderServiceHarness> StartAsync(IOrderStorage storage, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var store = await storage.CreateStoreAsync(TestContext.Current.CancellationToken);
        OrderServiceHarness? harness = null;
        try
        {
            harness = new OrderServiceHarness(await FakeUserServiceHost.StartAsync(), store, settings);
            await StartHostAsync(harness.Host);
            return harness;
        }
        catch
        {
            if (harness is null)
            {
                await store.DisposeAsync();
            }
            else
            {
                await harness.DisposeAsync();
            }

            throw;
        }
    }

    public static OrderServiceClient Client(GrpcTestHost<OrderServiceMarker> host) =>
        new(host.Channel.Intercept(new TestCancellationInterceptor()));

    /// <summary>Another OrderService host (a replica) on the same store, clock and fake UserService; disposed with the harness.</summary>
    public async Task<GrpcTestHost<OrderServiceMarker>> AddReplica()
    {
        var replica = CreateHost();
        _replicas.Add(replica);
        await StartHostAsync(replica);
        return replica;
    }

    /// <summary>Stops the OrderService host and starts a new one on the same store and clock.</summary>
    public async Task RestartAsync()
    {
        await Host.DisposeAsync();
        Host = CreateHost();
        await StartHostAsync(Host);
    }

    /// <summary>Runs one sweep now (the background loop only ticks hourly in tests).</summary>
    public Task<SweepResult> SweepAsync() => Sweeper.RunOnceAsync(CancellationToken.None);

    /// <summary>The event hubs' state and, on PostgreSQL, the cluster's open transactions (for timeouts in watch tests).</summary>
    public async Task<string> DescribeEventsAsync()
    {
        var hubs = string.Join("; ", _replicas.Prepend(Host).Select(h => h.Services.GetRequiredService<OrderEventHub>())
            .Select(hub => $"hub ready={hub.Ready.IsCompleted} watermark={hub.Watermark} polls={hub.PollCount} subscriptions={hub.SubscriptionCount}"));
        if (_store.Postgres is not { } database)
        {
            return hubs;
        }

        await using var command = database.DataSource.CreateCommand("""
            SELECT pg_current_snapshot()::text || ' | ' || COALESCE(string_agg(
                format('%s %s xid=%s xmin=%s %s since %s: %s', pid, datname, backend_xid, backend_xmin, state, xact_start, left(query, 60)), ' / '), '')
            FROM pg_stat_activity WHERE backend_xid IS NOT NULL OR backend_xmin IS NOT NULL
            """);
        return hubs + " | " + await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        await Host.DisposeAsync();
        await UserService.DisposeAsync();
        await _store.DisposeAsync();
    }

    /// <summary>
    /// Points the production UserService client (GrpcMesh.Clients pipeline: deadline, retry, breaker) at the fake's
    /// in-memory handler instead of a socket.
    /// </summary>
    public static void PointUserServiceClientAt(IServiceCollection services, FakeUserServiceHost userService) =>
        GrpcMeshTestClients.PointAt(services, GrpcMeshClientNames.UserService, userService.Address, userService.CreateHandler);

    /// <summary>Starts the host (options validation, schema migration) and waits out the sweep it runs at start.</summary>
    private static Task StartHostAsync(GrpcTestHost<OrderServiceMarker> host)
    {
        _ = host.Server;
        return host.Services.GetRequiredService<SagaSweeper>().FirstSweep.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private GrpcTestHost<OrderServiceMarker> CreateHost() => new(_settings, services =>
    {
        services.AddSingleton<TimeProvider>(Time);
        PointUserServiceClientAt(services, UserService);
    });
}
