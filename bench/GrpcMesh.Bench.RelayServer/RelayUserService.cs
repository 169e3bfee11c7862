using Grpc.Core;
using GrpcMesh.User.V1;
using UserServiceBase = GrpcMesh.User.V1.UserService.UserServiceBase;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.Bench.RelayServer;

/// <summary>
/// GetUser forwarded to the backend UserService with the incoming call's deadline and cancellation: passed by hand
/// in raw mode, inherited through the GrpcMesh.Clients pipeline in resilient mode (its deadline interceptor does it).
/// </summary>
public sealed class RelayUserService(UserServiceClient backend) : UserServiceBase
{
    public override async Task<GetUserResponse> GetUser(GetUserRequest request, ServerCallContext context) =>
        await backend.GetUserAsync(request, deadline: context.Deadline == DateTime.MaxValue ? null : context.Deadline,
            cancellationToken: context.CancellationToken).ConfigureAwait(false);
}
