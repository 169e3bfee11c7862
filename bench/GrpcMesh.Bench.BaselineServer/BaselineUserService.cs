using Grpc.Core;
using GrpcMesh.User.V1;
using UserServiceBase = GrpcMesh.User.V1.UserService.UserServiceBase;

namespace GrpcMesh.Bench.BaselineServer;

/// <summary>GetUser (and CreateUser, for seeding) straight from memory; every other RPC is UNIMPLEMENTED.</summary>
public sealed class BaselineUserService(InMemoryUsers users, TimeProvider time) : UserServiceBase
{
    public override Task<CreateUserResponse> CreateUser(CreateUserRequest request, ServerCallContext context) =>
        Task.FromResult(new CreateUserResponse { User = users.Add(request, time.GetUtcNow().UtcDateTime) });

    public override Task<GetUserResponse> GetUser(GetUserRequest request, ServerCallContext context) =>
        users.Find(request.UserId) is { } user
            ? Task.FromResult(new GetUserResponse { User = user })
            : throw new RpcException(new Status(StatusCode.NotFound, $"user '{request.UserId}' not found"));
}
