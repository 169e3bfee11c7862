using GrpcMesh.Clients;
using GrpcMesh.Testing;
using GrpcMesh.UserService;
using Microsoft.Extensions.DependencyInjection;
using OrderServiceClient = GrpcMesh.Order.V1.OrderService.OrderServiceClient;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.OrderService.Tests.EndToEnd;

/// <summary>
/// The real mesh in memory: a real UserService (own SQLite file) and a real OrderService (own SQLite file) whose
/// production UserService client (deadline, retry, breaker) is pointed at the UserService host.
/// </summary>
public sealed class MeshHosts : IDisposable
{
    private static readonly Dictionary<string, string?> Quiet = new()
    {
        ["Logging:LogLevel:Default"] = "Warning",
        // Without this every dispose waits the drain delay.
        ["Shutdown:DrainDelay"] = "00:00:00",
    };

    public MeshHosts(Uri? userServiceAddressOverride = null)
    {
        UserHost = new GrpcTestHost<UserServiceMarker>(Quiet);
        OrderHost = new GrpcTestHost<OrderServiceMarker>(Quiet, services =>
        {
            if (userServiceAddressOverride is null)
            {
                GrpcMeshTestClients.PointAt(services, GrpcMeshClientNames.UserService, UserHost.Server.BaseAddress, UserHost.Server.CreateHandler);
            }
            else
            {
                services.Configure<Clients.Options.GrpcMeshClientOptions>(GrpcMeshClientNames.UserService, o => o.Address = userServiceAddressOverride);
            }
        });
        Users = new UserServiceClient(UserHost.Channel);
        Orders = new OrderServiceClient(OrderHost.Channel);
    }

    public GrpcTestHost<UserServiceMarker> UserHost { get; }

    public GrpcTestHost<OrderServiceMarker> OrderHost { get; }

    public UserServiceClient Users { get; }

    public OrderServiceClient Orders { get; }

    public void Dispose()
    {
        OrderHost.Dispose();
        UserHost.Dispose();
    }
}
