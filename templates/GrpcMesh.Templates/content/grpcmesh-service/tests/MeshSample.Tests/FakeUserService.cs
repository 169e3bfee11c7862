using Grpc.Core;
using GrpcMesh.User.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace MeshSample.Tests;

/// <summary>An in-memory UserService that knows the users it is given.</summary>
internal sealed class FakeUserService(IReadOnlySet<string> users) : UserService.UserServiceBase
{
    public override Task<GetUserResponse> GetUser(GetUserRequest request, ServerCallContext context) =>
        users.Contains(request.UserId)
            ? Task.FromResult(new GetUserResponse { User = new User { Id = request.UserId } })
            : throw new RpcException(new Status(StatusCode.NotFound, $"user '{request.UserId}' not found"));

    /// <summary>Starts the fake on a TestServer; its handler is what the service's UserService client is pointed at.</summary>
    public static async Task<WebApplication> StartAsync(params string[] users)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new FakeUserService(users.ToHashSet()));
        var app = builder.Build();
        app.MapGrpcService<FakeUserService>();
        await app.StartAsync();
        return app;
    }
}
