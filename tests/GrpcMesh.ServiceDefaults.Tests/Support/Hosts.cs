using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.ServiceDefaults.Tests.Support;

internal static class Hosts
{
    /// <summary>A host serving <see cref="FakeUserService"/>.</summary>
    public static Task<TestServiceHost> StartUsersAsync(
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null,
        string environment = "Testing",
        bool inMemoryServer = false) =>
        TestServiceHost.StartAsync(
            app => app.MapGrpcService<FakeUserService>(),
            settings,
            builder =>
            {
                builder.Services.AddSingleton<CallGate>();
                configure?.Invoke(builder);
            },
            environment,
            inMemoryServer);

    /// <summary>A host serving <see cref="FakeOrderService"/>, which calls <paramref name="users"/> through a GrpcMesh client.</summary>
    public static Task<TestServiceHost> StartOrdersAsync(
        TestServiceHost users,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null) =>
        TestServiceHost.StartAsync(
            app => app.MapGrpcService<FakeOrderService>(),
            settings,
            builder =>
            {
                builder.Services.AddUserServiceClient(o => o.Address = users.Address);
                configure?.Invoke(builder);
            });
}
