using Grpc.Core;
using GrpcMesh.User.V1;

namespace GrpcMesh.Clients.Tests.Fakes;

/// <summary>
/// The "outer" service of multi-hop tests: GetUser records the incoming call, then calls the inner UserService through
/// the registered GrpcMesh client (without passing a deadline or token: both must be inherited).
/// </summary>
public sealed class RelayUserService(FakeUserBackend backend, UserService.UserServiceClient inner) : UserService.UserServiceBase
{
    public override async Task<GetUserResponse> GetUser(GetUserRequest request, ServerCallContext context)
    {
        await backend.OnCallAsync(nameof(GetUser), request, context);
        return await inner.GetUserAsync(request);
    }
}
