using Grpc.Core;
using GrpcMesh.Clients;
using GrpcMesh.ServiceDefaults.Errors;
using GrpcMesh.User.V1;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.ServiceDefaults.Tests.Support;

/// <summary>
/// GetUser by id: "missing" → NOT_FOUND, "boom" → an unexpected exception (INTERNAL after mapping),
/// "slow" → waits on the <see cref="CallGate"/>, "criticality" → a user whose id ends with the call's grpcmesh-criticality
/// header ("criticality:sheddable"), anything else → a user with that id. Logs one line per call.
/// </summary>
internal sealed partial class FakeUserService(CallGate gate, ILogger<FakeUserService> logger) : UserService.UserServiceBase
{
    public const string FetchingMessage = "Fetching user";

    public override async Task<GetUserResponse> GetUser(GetUserRequest request, ServerCallContext context)
    {
        LogFetching(logger, request.UserId);
        switch (request.UserId)
        {
            case "missing":
                throw RpcErrors.NotFound("user", request.UserId);
            case "boom":
                throw new InvalidOperationException("boom");
            case "slow":
                await gate.EnterAsync(context.CancellationToken);
                break;
            case "criticality":
                return new GetUserResponse { User = new User.V1.User { Id = $"criticality:{context.RequestHeaders.GetValue(Criticality.Header)}" } };
        }

        return new GetUserResponse { User = new User.V1.User { Id = request.UserId, Email = $"{request.UserId}@example.com" } };
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = FetchingMessage + " {UserId}")]
    private static partial void LogFetching(ILogger logger, string userId);
}
