using Grpc.Core;
using GrpcMesh.User.V1;
using UserServiceBase = GrpcMesh.User.V1.UserService.UserServiceBase;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.Bench.RelayServer;

/// <summary>
/// GetUser forwarded to the backend UserService with the incoming call's deadline and cancellation: passed by hand
/// in raw mode (with the relay's token in <paramref name="headers"/>), inherited through the GrpcMesh.Clients
/// pipeline in resilient mode (its deadline interceptor and token provider do it; <paramref name="headers"/> is null).
/// </summary>
public sealed class RelayUserService(UserServiceClient backend, RelayHeaders headers) : UserServiceBase
{
    public override async Task<GetUserResponse> GetUser(GetUserRequest request, ServerCallContext context) =>
        await backend.GetUserAsync(request, headers.Value, context.Deadline == DateTime.MaxValue ? null : context.Deadline,
            context.CancellationToken);
}

/// <summary>Headers the raw client sends on every call (built once); null in resilient mode.</summary>
public sealed record RelayHeaders(Metadata? Value);
