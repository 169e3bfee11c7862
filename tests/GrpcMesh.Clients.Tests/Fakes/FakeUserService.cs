using Grpc.Core;
using GrpcMesh.User.V1;

namespace GrpcMesh.Clients.Tests.Fakes;

/// <summary>A UserService whose answers are scripted by <see cref="FakeUserBackend"/>.</summary>
public sealed class FakeUserService(FakeUserBackend backend) : UserService.UserServiceBase
{
    public override async Task<GetUserResponse> GetUser(GetUserRequest request, ServerCallContext context)
    {
        await backend.OnCallAsync(nameof(GetUser), request, context);
        return new GetUserResponse { User = new GrpcMesh.User.V1.User { Id = request.UserId, Email = "ada@example.com" } };
    }

    public override async Task<CreateUserResponse> CreateUser(CreateUserRequest request, ServerCallContext context)
    {
        await backend.OnCallAsync(nameof(CreateUser), request, context);
        return new CreateUserResponse { User = new GrpcMesh.User.V1.User { Id = "usr_1", Email = request.Email } };
    }

    public override async Task<ListUsersResponse> ListUsers(ListUsersRequest request, ServerCallContext context)
    {
        await backend.OnCallAsync(nameof(ListUsers), request, context);
        return new ListUsersResponse();
    }
}
