namespace GrpcMesh.OrderService.Storage;

/// <summary>A validated ListOrders request: one page of a user's orders after <paramref name="After"/> (null: from the start).</summary>
public sealed record OrderListQuery(string UserId, int PageSize, OrderCursor? After);
