using Grpc.Core;
using GrpcMesh.User.V1;
using Microsoft.Extensions.Options;
using UserServiceBase = GrpcMesh.User.V1.UserService.UserServiceBase;

namespace GrpcMesh.Bench.ReplicaServer;

/// <summary>
/// GetUser answered from memory (any id names a user), after the replica's configured delays and resource hold.
/// The other UserService methods stay UNIMPLEMENTED.
/// </summary>
public sealed class ReplicaUserService(ServedCalls served, BoundedResource resource, PreciseDelays delays, IOptions<ReplicaOptions> options) : UserServiceBase
{
    private readonly ReplicaOptions _options = options.Value;

    public override async Task<GetUserResponse> GetUser(GetUserRequest request, ServerCallContext context)
    {
        var number = served.Next();
        if (string.IsNullOrEmpty(request.UserId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "user_id is required"));
        }

        if (_options.ExtraDelay > TimeSpan.Zero)
        {
            await delays.Delay(_options.ExtraDelay);
        }

        if (_options.SlowEvery > 0 && number % _options.SlowEvery == 0)
        {
            await Task.Delay(_options.SlowDelay, context.CancellationToken);
        }

        await resource.UseAsync(context.CancellationToken);
        return new GetUserResponse
        {
            User = new GrpcMesh.User.V1.User
            {
                Id = request.UserId,
                Email = request.UserId + "@example.com",
                DisplayName = "Replica user " + request.UserId,
                Status = UserStatus.Active,
            },
        };
    }
}
