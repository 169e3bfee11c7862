using System.Text.RegularExpressions;
using GrpcMesh.Order.V1;
using GrpcMesh.OrderService.Domain;
using GrpcMesh.ServiceDefaults.Validation;
using ProtoMoney = GrpcMesh.Common.V1.Money;

namespace GrpcMesh.OrderService.Grpc;

/// <summary>Request checks from the proto contract; every bad field is reported at once with its path (e.g. <c>items[2].quantity</c>).</summary>
public static partial class OrderRequestValidation
{
    public const int MaxItems = 100;
    public const int MaxSkuLength = 64;
    public const int MaxQuantity = 1000;
    public const int MaxReasonLength = 256;
    public const int MaxPageSize = 1000;
    public const int DefaultPageSize = 50;

    public static NewOrder Validate(CreateOrderRequest request)
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
            if (ValidateMoney(validator, item.UnitPrice, $"{path}.unit_price") is not { } price)
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
            try
            {
                total = lines.Sum(line => checked(line.UnitPrice.Minor * line.Quantity));
            }
            catch (OverflowException)
            {
                validator.Add("items", "the order total is too large");
            }

            validator.Check(total > 0 || !validator.IsValid, "items", "the order total must be greater than zero");
        }

        validator.ThrowIfInvalid();
        return new NewOrder(request.RequestId, request.UserId, lines, new Money(currency!, total));
    }

    public static void Validate(GetOrderRequest request) =>
        new RequestValidator().Key(request.OrderId, "order_id").ThrowIfInvalid();

    public static void Validate(CancelOrderRequest request) =>
        new RequestValidator()
            .Key(request.OrderId, "order_id")
            .Text(request.Reason, "reason", MaxReasonLength, required: false)
            .ThrowIfInvalid();

    /// <summary>Validates everything but the page token, which <see cref="PageToken"/> checks against the user id.</summary>
    public static int Validate(ListOrdersRequest request)
    {
        new RequestValidator()
            .Key(request.UserId, "user_id")
            .PageSize(request.PageSize, "page_size", MaxPageSize)
            .ThrowIfInvalid();
        return request.PageSize == 0 ? DefaultPageSize : request.PageSize;
    }

    /// <summary>The user filter (null for all users) of a valid request.</summary>
    public static string? Validate(WatchOrdersRequest request)
    {
        new RequestValidator()
            .Key(request.UserId, "user_id", required: false)
            .Check(request.AfterSequence >= 0, "after_sequence", $"must not be negative (got {request.AfterSequence}); 0 starts from the beginning")
            .ThrowIfInvalid();
        return request.UserId.Length == 0 ? null : request.UserId;
    }

    /// <summary>A non-negative amount in whole cents of an ISO 4217 currency; null (with violations added) otherwise.</summary>
    private static Money? ValidateMoney(RequestValidator validator, ProtoMoney? money, string path)
    {
        if (money is null)
        {
            validator.Add(path, "is required");
            return null;
        }

        var before = validator.Violations.Count;
        validator
            .Check(CurrencyPattern().IsMatch(money.CurrencyCode), $"{path}.currency_code",
                $"must be an ISO 4217 code of three upper-case letters like USD (got '{money.CurrencyCode}')")
            .Check(money.Units >= 0, $"{path}.units", $"must not be negative (got {money.Units})")
            .Check(money.Nanos is >= 0 and < 1_000_000_000 && money.Nanos % Money.NanosPerMinor == 0, $"{path}.nanos",
                $"must be whole cents: a multiple of {Money.NanosPerMinor} from 0 to 990000000 (got {money.Nanos})");
        if (validator.Violations.Count != before)
        {
            return null;
        }

        try
        {
            return money.ToDomain();
        }
        catch (OverflowException)
        {
            validator.Add($"{path}.units", $"is too large (got {money.Units})");
            return null;
        }
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();
}
