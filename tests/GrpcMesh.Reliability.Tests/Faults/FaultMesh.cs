using GrpcMesh.Clients;
using GrpcMesh.OrderService;
using GrpcMesh.Reliability.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.UserService;
using Microsoft.Extensions.DependencyInjection;
using OrderServiceClient = GrpcMesh.Order.V1.OrderService.OrderServiceClient;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.Reliability.Tests.Faults;

/// <summary>
/// Real UserService (with a <see cref="FaultInjector"/> in front of its handlers) and real OrderService reaching it
/// through the production GrpcMesh.Clients pipeline (deadline → retry with budget → breaker), both in memory.
/// </summary>
public sealed class FaultMesh : IDisposable
{
    public FaultMesh(params (string Key, string? Value)[] orderSettings)
        : this(orderOnLoopback: false, orderSettings)
    {
    }

    /// <param name="orderOnLoopback">Serve OrderService on real Kestrel (real HTTP/2 deadlines and resets) instead of TestServer.</param>
    public FaultMesh(bool orderOnLoopback, params (string Key, string? Value)[] orderSettings)
    {
        UserHost = new GrpcTestHost<UserServiceMarker>(HostSettings.For(null), services =>
        {
            services.AddSingleton(Injector);
            services.AddGrpc(o => o.Interceptors.Add<FaultInjectorInterceptor>());
        });
        // The sweeper would retry compensations in the background and blur the attempt counts.
        OrderHost = new GrpcTestHost<OrderServiceMarker>(HostSettings.For(null, [("Orders:SweepInterval", "01:00:00"), .. orderSettings]), services =>
            GrpcMeshTestClients.PointAt(services, GrpcMeshClientNames.UserService, UserHost.Server.BaseAddress, UserHost.Server.CreateHandler));
        if (orderOnLoopback)
        {
            OrderHost.StartOnLoopback();
        }

        Users = new UserServiceClient(UserHost.Channel);
        Orders = new OrderServiceClient(OrderHost.Channel);
    }

    public FaultInjector Injector { get; } = new();

    public GrpcTestHost<UserServiceMarker> UserHost { get; }

    public GrpcTestHost<OrderServiceMarker> OrderHost { get; }

    public UserServiceClient Users { get; }

    public OrderServiceClient Orders { get; }

    public async Task<User.V1.User> CreateUserAsync(long creditCents = 1_000_000_00) =>
        (await Users.CreateUserAsync(Support.Users.NewUser(creditCents), cancellationToken: TestContext.Current.CancellationToken)).User;

    public void Dispose()
    {
        OrderHost.Dispose();
        UserHost.Dispose();
    }
}
