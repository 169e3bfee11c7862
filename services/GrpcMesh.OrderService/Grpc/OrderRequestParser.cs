using System.Globalization;
using GrpcMesh.Domain;
using GrpcMesh.Domain.Grpc;
using GrpcMesh.Order.V1;
using GrpcMesh.OrderService.Domain;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.ServiceDefaults.Validation;

namespace GrpcMesh.OrderService.Grpc;

/// <summary>
/// Validates each request completely (one INVALID_ARGUMENT listing every bad field with its path, e.g.
/// <c>items[2].quantity</c>) and turns it into domain input.
/// </summary>
public static class OrderRequestParser
{
    public const int MaxItems = 100;
    public const int MaxSkuLength = 64;
    public const int MaxQuantity = 1000;
    public const int MaxReasonLength = 256;
    public const int MaxPageSize = 1000;
    public const int DefaultPageSize = 50;

    private static readonly string MaxTotalText = Money.MaxUnits.ToString("N0", CultureInfo.InvariantCulture) + ".99";

    public static NewOrder Parse(CreateOrderRequest request)
    {
        var validator = new RequestValidator()
            .Key(request.RequestId, "request_id")
            .Key(request.UserId, "user_id");

        if (request.Items.Count == 0)
        {
            validator.Add("items", "at least one item is required");
        }
        else if (request.Items.Count > MaxItems)
        {
            validator.Add("items", $"at most {MaxItems} items are allowed (got {request.Items.Count})");
        }

        var lines = new List<OrderLine>(request.Items.Count);
        string? currency = null;
        for (var i = 0; i < request.Items.Count; i++)
        {
            var item = request.Items[i];
            var path = $"items[{i}]";
            validator
                .Text(item.Sku, $"{path}.sku", MaxSkuLength)
                .Check(item.Quantity is >= 1 and <= MaxQuantity, $"{path}.quantity", $"must be between 1 and {MaxQuantity} (got {item.Quantity})");
            validator.Money(item.UnitPrice, $"{path}.unit_price", positive: false, out var unitPrice);
            if (unitPrice is not { } price)
            {
                continue;
            }

            currency ??= price.Currency;
            if (price.Currency != currency)
            {
                validator.Add($"{path}.unit_price.currency_code", $"all items must be priced in the same currency ({currency}, got {price.Currency})");
                continue;
            }

            lines.Add(new OrderLine(item.Sku, item.Quantity, price));
        }

        var total = 0L;
        if (validator.IsValid)
        {
            total = Total(lines);
            validator
                .Check(MoneyRules.IsValidCents(total), "items", $"the order total must be at most {MaxTotalText} {currency}")
                .Check(total > 0, "items", "the order total must be greater than zero");
        }

        validator.ThrowIfInvalid();
        return new NewOrder(request.RequestId, request.UserId, lines, new Money(currency!, total));
    }

    /// <summary>The order id of a valid request.</summary>
    public static string Parse(GetOrderRequest request)
    {
        new RequestValidator().Key(request.OrderId, "order_id").ThrowIfInvalid();
        return request.OrderId;
    }

    public static (string OrderId, string Reason) Parse(CancelOrderRequest request)
    {
        new RequestValidator()
            .Key(request.OrderId, "order_id")
            .Text(request.Reason, "reason", MaxReasonLength, required: false)
            .ThrowIfInvalid();
        return (request.OrderId, request.Reason);
    }

    public static OrderListQuery Parse(ListOrdersRequest request)
    {
        var validator = new RequestValidator()
            .Key(request.UserId, "user_id")
            .PageSize(request.PageSize, "page_size", MaxPageSize);
        var after = request.PageToken.Length == 0 ? null : ListOrdersPageToken.Decode(validator, request.PageToken, request.UserId);
        validator.ThrowIfInvalid();
        return new OrderListQuery(request.UserId, request.PageSize == 0 ? DefaultPageSize : request.PageSize, after);
    }

    /// <summary>The user filter (null for all users) of a valid request.</summary>
    public static string? Parse(WatchOrdersRequest request)
    {
        new RequestValidator()
            .Key(request.UserId, "user_id", required: false)
            .Check(request.AfterSequence >= 0, "after_sequence", $"must not be negative (got {request.AfterSequence}); 0 starts from the beginning")
            .ThrowIfInvalid();
        return request.UserId.Length == 0 ? null : request.UserId;
    }

    /// <summary>The sum in cents, or <see cref="long.MaxValue"/> when it does not fit (it is then refused as too large).</summary>
    private static long Total(IEnumerable<OrderLine> lines)
    {
        try
        {
            return lines.Sum(line => checked(line.UnitPrice.Cents * line.Quantity));
        }
        catch (OverflowException)
        {
            return long.MaxValue;
        }
    }
}
