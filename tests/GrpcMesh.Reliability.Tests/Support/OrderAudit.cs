using GrpcMesh.Order.V1;

namespace GrpcMesh.Reliability.Tests.Support;

/// <summary>Orders checked against UserService's reservations (reservation id = order id): nothing half-written.</summary>
internal static class OrderAudit
{
    /// <summary>
    /// What is wrong, empty when every order is CONFIRMED with its reservation held, or REJECTED with none held
    /// (never made, or released by the compensation).
    /// </summary>
    public static IReadOnlyList<string> Problems(IEnumerable<Order.V1.Order> orders, IReadOnlyDictionary<string, string> reservations)
    {
        var problems = new List<string>();
        foreach (var order in orders)
        {
            var reservation = reservations.GetValueOrDefault(order.Id);
            var ok = order.Status switch
            {
                OrderStatus.Confirmed => reservation == "RESERVED",
                OrderStatus.Rejected => reservation is null or "RELEASED",
                _ => false,
            };
            if (!ok)
            {
                problems.Add($"{order.Id} {order.Status} with reservation {reservation ?? "none"}");
            }
        }

        return problems;
    }

    /// <summary>All orders of <paramref name="userId"/> (every page).</summary>
    public static async Task<List<Order.V1.Order>> ListAllAsync(Order.V1.OrderService.OrderServiceClient orders, string userId)
    {
        var all = new List<Order.V1.Order>();
        var request = new ListOrdersRequest { UserId = userId, PageSize = 1000 };
        do
        {
            var page = await orders.ListOrdersAsync(request, cancellationToken: TestContext.Current.CancellationToken);
            all.AddRange(page.Orders);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        return all;
    }
}
