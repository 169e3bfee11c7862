using System.Globalization;
using GrpcMesh.Domain.Grpc;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.ServiceDefaults.Validation;

namespace GrpcMesh.OrderService.Grpc;

/// <summary>ListOrders page tokens: the keyset position (create time, order id) of the last order returned, bound to <c>user_id</c>.</summary>
public static class ListOrdersPageToken
{
    private static readonly PageTokenCodec Codec = new("ListOrders", "user_id");

    public static string Encode(string userId, OrderCursor cursor) =>
        Codec.Encode(Filter(userId), cursor.CreateTime.UtcTicks.ToString(CultureInfo.InvariantCulture), cursor.OrderId);

    /// <returns>The position to continue after, or null with a violation on <c>page_token</c> added.</returns>
    public static OrderCursor? Decode(RequestValidator validator, string token, string userId) =>
        Codec.TryDecode<OrderCursor>(validator, token, Filter(userId), TryParseCursor, out var cursor) ? cursor : null;

    private static string Filter(string userId) => "user_id=" + userId;

    private static bool TryParseCursor(ReadOnlySpan<string> parts, out OrderCursor cursor)
    {
        cursor = default;
        if (parts.Length != 2
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks
            || !RequestValidator.IsKey(parts[1]))
        {
            return false;
        }

        cursor = new OrderCursor(new DateTimeOffset(ticks, TimeSpan.Zero), parts[1]);
        return true;
    }
}
