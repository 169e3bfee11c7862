using GrpcMesh.ServiceDefaults.Auth;
using GrpcMesh.ServiceDefaults.Health;
using GrpcMesh.ServiceDefaults.Upstream;

namespace MeshSample;

public static class MeshSampleRegistration
{
    /// <summary>The subject of this service's own token for its UserService calls.</summary>
    public const string ServiceSubject = "meshsample";

    /// <summary>The store, the scope of each RPC, a readiness check on the store, and the UserService client.</summary>
    public static WebApplicationBuilder AddMeshSample(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ItemStore>();
        builder.Services.AddMethodScopes(MeshSampleScopes.Map);
        builder.Services.AddHealthChecks().AddStorageCheck((sp, ct) => sp.GetRequiredService<ItemStore>().PingAsync(ct));
        builder.Services.AddUserServiceClient(builder.Configuration).CalledFromThisService(ServiceSubject, "users.read");
        return builder;
    }
}
