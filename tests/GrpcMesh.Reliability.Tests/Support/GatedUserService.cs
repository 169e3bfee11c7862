using Grpc.Core;
using GrpcMesh.User.V1;

namespace GrpcMesh.Reliability.Tests.Support;

/// <summary>A UserService whose GetUser waits for the test to release it, counting the handlers that actually ran.</summary>
internal sealed class GatedUserService(CallGateSwitch gate) : User.V1.UserService.UserServiceBase
{
    public override async Task<GetUserResponse> GetUser(GetUserRequest request, ServerCallContext context)
    {
        gate.Entered(request.UserId);
        await gate.Release.Task.WaitAsync(context.CancellationToken);
        return new GetUserResponse { User = new User.V1.User { Id = request.UserId } };
    }
}

internal sealed class CallGateSwitch
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _ran = new();

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource FirstEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<string> Ran => _ran;

    public void Entered(string id)
    {
        _ran.Enqueue(id);
        FirstEntered.TrySetResult();
    }
}
