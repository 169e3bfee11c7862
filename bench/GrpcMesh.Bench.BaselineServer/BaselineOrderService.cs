using Grpc.Core;
using GrpcMesh.Order.V1;
using OrderServiceBase = GrpcMesh.Order.V1.OrderService.OrderServiceBase;

namespace GrpcMesh.Bench.BaselineServer;

/// <summary>GetOrder (and CreateOrder, for seeding) straight from memory; every other RPC is UNIMPLEMENTED.</summary>
public sealed class BaselineOrderService(InMemoryOrders orders, TimeProvider time) : OrderServiceBase
{
    public override Task<CreateOrderResponse> CreateOrder(CreateOrderRequest request, ServerCallContext context) =>
        Task.FromResult(new CreateOrderResponse { Order = orders.Add(request, time.GetUtcNow().UtcDateTime) });

    public override Task<GetOrderResponse> GetOrder(GetOrderRequest request, ServerCallContext context) =>
        orders.Find(request.OrderId) is { } order
            ? Task.FromResult(new GetOrderResponse { Order = order })
            : throw new RpcException(new Status(StatusCode.NotFound, $"order '{request.OrderId}' not found"));
}
