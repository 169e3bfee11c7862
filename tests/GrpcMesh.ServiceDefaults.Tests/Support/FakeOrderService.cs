using Grpc.Core;
using GrpcMesh.Order.V1;
using GrpcMesh.User.V1;

namespace GrpcMesh.ServiceDefaults.Tests.Support;

/// <summary>GetOrder looks the order's user up in UserService (the order id doubles as the user id).</summary>
internal sealed class FakeOrderService(UserService.UserServiceClient users) : OrderService.OrderServiceBase
{
    public override async Task<GetOrderResponse> GetOrder(GetOrderRequest request, ServerCallContext context)
    {
        var user = await users.GetUserAsync(new GetUserRequest { UserId = request.OrderId }, cancellationToken: context.CancellationToken);
        return new GetOrderResponse { Order = new Order.V1.Order { Id = request.OrderId, UserId = user.User.Id } };
    }
}
