using Grpc.Core;
using GrpcMesh.User.V1;

namespace GrpcMesh.ServiceDefaults.Tests.Support;

/// <summary>A resource with a fixed number of slots, each held for a fixed time per call (as a small database pool would be).</summary>
internal sealed class BoundedResource(int slots, TimeSpan holdTime)
{
    private readonly SemaphoreSlim _slots = new(slots);

    public async Task UseAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            await Task.Delay(holdTime, cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }
}

/// <summary>GetUser through the <see cref="BoundedResource"/>.</summary>
internal sealed class BoundedResourceUserService(BoundedResource resource) : UserService.UserServiceBase
{
    public override async Task<GetUserResponse> GetUser(GetUserRequest request, ServerCallContext context)
    {
        await resource.UseAsync(context.CancellationToken);
        return new GetUserResponse { User = new User.V1.User { Id = request.UserId } };
    }
}
