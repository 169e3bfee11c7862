using Grpc.Core;
using GrpcMesh.Order.V1;
using GrpcMesh.OrderService.Events;
using GrpcMesh.OrderService.Saga;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.ServiceDefaults.Errors;
using OrderServiceBase = GrpcMesh.Order.V1.OrderService.OrderServiceBase;

namespace GrpcMesh.OrderService.Grpc;

/// <summary>
/// grpcmesh.order.v1.OrderService: validation and proto mapping around the saga and the store.
/// <para>
/// The saga, the cancellation and the watch stream (transient, and with them a UserService client built by the client
/// factory) are resolved from the call's services by the RPCs that use them, exactly as often as constructor injection
/// resolved them, but no longer for every call: GetOrder and ListOrders, the hot reads, only need the store, so this class
/// is a singleton (bench/README.md, "Server hot path").
/// </para>
/// </summary>
public sealed class OrderGrpcService(IOrderStore store) : OrderServiceBase
{
    public override async Task<CreateOrderResponse> CreateOrder(CreateOrderRequest request, ServerCallContext context)
    {
        var draft = OrderRequestParser.Parse(request);
        var createOrder = CallService<CreateOrderSaga>(context);
        var order = await createOrder.ExecuteAsync(draft, context.Deadline, context.CancellationToken);
        return new CreateOrderResponse { Order = order.ToProto() };
    }

    public override async Task<GetOrderResponse> GetOrder(GetOrderRequest request, ServerCallContext context)
    {
        var orderId = OrderRequestParser.Parse(request);
        var order = await store.GetAsync(orderId, context.CancellationToken)
            ?? throw RpcErrors.NotFound("order", orderId);
        return new GetOrderResponse { Order = order.ToProto() };
    }

    public override async Task<ListOrdersResponse> ListOrders(ListOrdersRequest request, ServerCallContext context)
    {
        var query = OrderRequestParser.Parse(request);
        var orders = await store.ListByUserAsync(query.UserId, query.After, query.PageSize + 1, context.CancellationToken);

        var response = new ListOrdersResponse();
        response.Orders.AddRange(orders.Take(query.PageSize).Select(o => o.ToProto()));
        if (orders.Count > query.PageSize)
        {
            var last = orders[query.PageSize - 1];
            response.NextPageToken = ListOrdersPageToken.Encode(query.UserId, new OrderCursor(last.CreateTime, last.Id));
        }

        return response;
    }

    public override async Task<CancelOrderResponse> CancelOrder(CancelOrderRequest request, ServerCallContext context)
    {
        var (orderId, reason) = OrderRequestParser.Parse(request);
        var cancellation = CallService<OrderCancellation>(context);
        var order = await cancellation.CancelAsync(orderId, reason, context.Deadline, context.CancellationToken);
        return new CancelOrderResponse { Order = order.ToProto() };
    }

    public override Task WatchOrders(WatchOrdersRequest request, IServerStreamWriter<WatchOrdersResponse> responseStream, ServerCallContext context)
    {
        var userId = OrderRequestParser.Parse(request);
        var watch = CallService<OrderWatchStream>(context);
        return watch.RunAsync(userId, request.AfterSequence, e => responseStream.WriteAsync(e.ToProto()), context.CancellationToken);
    }

    private static T CallService<T>(ServerCallContext context)
        where T : notnull => context.GetHttpContext().RequestServices.GetRequiredService<T>();
}
