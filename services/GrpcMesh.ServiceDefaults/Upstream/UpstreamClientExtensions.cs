using Grpc.AspNetCore.Server;
using GrpcMesh.Clients.Auth;
using GrpcMesh.Clients.Context;
using GrpcMesh.ServiceDefaults.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GrpcMesh.ServiceDefaults.Upstream;

public static class UpstreamClientExtensions
{
    /// <summary>
    /// What a service needs to call another mesh service from its handlers through a GrpcMesh client (e.g.
    /// <c>services.AddUserServiceClient(configuration).CalledFromThisService("inventory", "users.read")</c>): its own
    /// credential for <paramref name="subject"/> with <paramref name="scopes"/> on every call, and the server interceptor
    /// that passes the incoming call's deadline, cancellation and no-retry-across-hops marker on to the outgoing calls.
    /// </summary>
    public static IHttpClientBuilder CalledFromThisService(this IHttpClientBuilder client, string subject, params string[] scopes)
    {
        client.Services.AddKeyedSingleton<ICallTokenProvider>(client.Name, (sp, _) => new ServiceCredential(
            sp.GetRequiredService<ServiceTokenIssuer>(), sp.GetRequiredService<TimeProvider>(), subject, scopes));
        // A singleton (it only sets the ambient accessor): grpc-dotnet would otherwise construct it on every call.
        client.Services.TryAddSingleton<ServerCallContextCaptureInterceptor>();
        client.Services.Configure<GrpcServiceOptions>(o =>
        {
            if (!o.Interceptors.Any(i => i.Type == typeof(ServerCallContextCaptureInterceptor)))
            {
                o.Interceptors.Add<ServerCallContextCaptureInterceptor>();
            }
        });
        return client;
    }
}
