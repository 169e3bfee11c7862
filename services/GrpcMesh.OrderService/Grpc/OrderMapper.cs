using Google.Protobuf.WellKnownTypes;
using GrpcMesh.Domain.Grpc;
using GrpcMesh.OrderService.Domain;
using ProtoOrder = GrpcMesh.Order.V1.Order;
using ProtoOrderItem = GrpcMesh.Order.V1.OrderItem;
using ProtoOrderStatus = GrpcMesh.Order.V1.OrderStatus;
using ProtoEventType = GrpcMesh.Order.V1.OrderEventType;
using WatchOrdersResponse = GrpcMesh.Order.V1.WatchOrdersResponse;

namespace GrpcMesh.OrderService.Grpc;

public static class OrderMapper
{
    public static ProtoOrder ToProto(this OrderRecord order)
    {
        var proto = new ProtoOrder
        {
            Id = order.Id,
            UserId = order.UserId,
            Total = order.Total.ToProto(),
            Status = order.State.ToProto(),
            RequestId = order.RequestId,
            StatusReason = order.StateReason,
            CreateTime = Timestamp.FromDateTimeOffset(order.CreateTime),
            UpdateTime = Timestamp.FromDateTimeOffset(order.UpdateTime),
        };
        proto.Items.AddRange(order.Lines.Select(line => new ProtoOrderItem
        {
            Sku = line.Sku,
            Quantity = line.Quantity,
            UnitPrice = line.UnitPrice.ToProto(),
        }));
        return proto;
    }

    public static ProtoOrderStatus ToProto(this OrderState state) => state switch
    {
        OrderState.Pending => ProtoOrderStatus.Pending,
        OrderState.Confirmed => ProtoOrderStatus.Confirmed,
        OrderState.Rejected => ProtoOrderStatus.Rejected,
        OrderState.Cancelled => ProtoOrderStatus.Cancelled,
        _ => ProtoOrderStatus.Unspecified,
    };

    public static WatchOrdersResponse ToProto(this OrderEvent orderEvent) => new()
    {
        Sequence = orderEvent.Sequence,
        Type = orderEvent.Type switch
        {
            OrderEventType.Created => ProtoEventType.Created,
            OrderEventType.Confirmed => ProtoEventType.Confirmed,
            OrderEventType.Rejected => ProtoEventType.Rejected,
            OrderEventType.Cancelled => ProtoEventType.Cancelled,
            _ => ProtoEventType.Unspecified,
        },
        Order = orderEvent.Order.ToProto(),
        EventTime = Timestamp.FromDateTimeOffset(orderEvent.EventTime),
    };
}
