using System.Buffers.Text;
using System.Globalization;
using System.Text;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.ServiceDefaults.Errors;

namespace GrpcMesh.OrderService.Grpc;

/// <summary>
/// Opaque ListOrders page tokens: the keyset position (create time, order id) of the last order returned,
/// bound to the user_id it was issued for.
/// </summary>
public static class PageToken
{
    private const string Version = "o1";
    private const char Separator = '\n';

    public static string Encode(string userId, OrderCursor cursor) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join(Separator,
            Version, userId, cursor.CreateTime.UtcTicks.ToString(CultureInfo.InvariantCulture), cursor.OrderId)));

    /// <summary>Null for an empty token; INVALID_ARGUMENT on <c>page_token</c> for a malformed or foreign one.</summary>
    public static OrderCursor? Decode(string token, string userId)
    {
        if (token.Length == 0)
        {
            return null;
        }

        string[] parts;
        try
        {
            parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split(Separator);
        }
        catch (FormatException)
        {
            throw Malformed();
        }

        if (parts.Length != 4 || parts[0] != Version
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks || parts[3].Length == 0)
        {
            throw Malformed();
        }

        if (parts[1] != userId)
        {
            throw RpcErrors.InvalidArgument("page_token", "was issued for a different user_id; start again without a page_token");
        }

        return new OrderCursor(new DateTimeOffset(ticks, TimeSpan.Zero), parts[3]);
    }

    private static Exception Malformed() =>
        RpcErrors.InvalidArgument("page_token", "is not a valid page token; pass next_page_token from the previous response unchanged");
}
