using GrpcMesh.Clients;
using GrpcMesh.OrderService;
using GrpcMesh.Testing;
using GrpcMesh.UserService;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.Reliability.Tests.Support;

/// <summary>
/// Real UserService and OrderService hosts (in memory) with auth on, sharing one signing key; OrderService reaches
/// UserService through its production client pipeline (service credential included).
/// </summary>
internal sealed class SecureMesh : IDisposable
{
    public SecureMesh(TestTokens tokens, IReadOnlyDictionary<string, string?>? orderSettings = null, Action<IServiceCollection>? orderServices = null)
    {
        var settings = HostSettings.For(tokens);
        UserHost = new GrpcTestHost<UserServiceMarker>(settings);
        var order = new Dictionary<string, string?>(settings);
        foreach (var (key, value) in orderSettings ?? new Dictionary<string, string?>())
        {
            order[key] = value;
        }

        OrderHost = new GrpcTestHost<OrderServiceMarker>(order, services =>
        {
            GrpcMeshTestClients.PointAt(services, GrpcMeshClientNames.UserService, UserHost.Server.BaseAddress, UserHost.Server.CreateHandler);
            orderServices?.Invoke(services);
        });
    }

    public GrpcTestHost<UserServiceMarker> UserHost { get; }

    public GrpcTestHost<OrderServiceMarker> OrderHost { get; }

    public void Dispose()
    {
        OrderHost.Dispose();
        UserHost.Dispose();
    }
}
