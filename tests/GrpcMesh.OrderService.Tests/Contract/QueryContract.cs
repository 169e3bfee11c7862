using System.Buffers.Text;
using System.Text;
using Grpc.Core;
using GrpcMesh.Order.V1;
using GrpcMesh.Testing;

namespace GrpcMesh.OrderService.Tests.Contract;

public abstract class QueryContract(IOrderStorage storage) : OrderServiceContract(storage)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetOrder_UnknownId_NotFound()
    {
        await using var harness = await StartAsync();

        var ex = await RpcAssert.ThrowsAsync(StatusCode.NotFound,
            () => harness.Orders.GetOrderAsync(new GetOrderRequest { OrderId = "ord_nope" }));

        Assert.Contains("ord_nope", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListOrders_SeveralPages_NewestFirstWithoutGapsOrDuplicates()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(1_000_00);
        var otherUser = harness.Users.AddUser(1_000_00);
        var created = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            created.Add((await harness.Orders.CreateOrderAsync(TestData.Order(userId))).Order.Id);
            await harness.Orders.CreateOrderAsync(TestData.Order(otherUser));
            harness.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var pages = new List<ListOrdersResponse>();
        var token = "";
        do
        {
            var page = await harness.Orders.ListOrdersAsync(new ListOrdersRequest { UserId = userId, PageSize = 3, PageToken = token });
            pages.Add(page);
            token = page.NextPageToken;
        }
        while (token.Length > 0 && pages.Count < 10);

        Assert.Equal([3, 3, 1], pages.Select(p => p.Orders.Count));
        Assert.Equal(Enumerable.Reverse(created), pages.SelectMany(p => p.Orders).Select(o => o.Id));
        Assert.All(pages.SelectMany(p => p.Orders), o => Assert.Equal(userId, o.UserId));

        var all = await harness.Orders.ListOrdersAsync(new ListOrdersRequest { UserId = userId });
        Assert.Equal((7, ""), (all.Orders.Count, all.NextPageToken));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListOrders_UnknownUser_EmptyPage()
    {
        await using var harness = await StartAsync();

        var page = await harness.Orders.ListOrdersAsync(new ListOrdersRequest { UserId = "usr_nobody" });

        Assert.Empty(page.Orders);
        Assert.Equal("", page.NextPageToken);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListOrders_TokenOfOtherUserOrMalformed_InvalidArgumentOnPageToken()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(1_000_00);
        for (var i = 0; i < 2; i++)
        {
            await harness.Orders.CreateOrderAsync(TestData.Order(userId));
        }

        var token = (await harness.Orders.ListOrdersAsync(new ListOrdersRequest { UserId = userId, PageSize = 1 })).NextPageToken;
        Assert.NotEmpty(token);

        await RpcAssert.InvalidArgumentAsync(
            () => harness.Orders.ListOrdersAsync(new ListOrdersRequest { UserId = "usr_other", PageToken = token }), "page_token");
        var badTicks = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"p1\nuser_id={userId}\nsoon\nord_x"));
        var previousFormat = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"o1\n{userId}\n0\nord_x"));
        foreach (var bad in new[] { "not a token!", "AAAA", badTicks, previousFormat })
        {
            await RpcAssert.InvalidArgumentAsync(
                () => harness.Orders.ListOrdersAsync(new ListOrdersRequest { UserId = userId, PageToken = bad }), "page_token");
        }
    }
}
