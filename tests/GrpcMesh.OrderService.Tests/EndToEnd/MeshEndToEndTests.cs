using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using GrpcMesh.Order.V1;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.OrderService.Tests.EndToEnd;

/// <summary>OrderService end to end against a real UserService host, through the production client pipeline.</summary>
public sealed class MeshEndToEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_UserHasCredit_ConfirmedAndCreditReservedInUserService()
    {
        using var mesh = new MeshHosts();
        var user = await CreateUserAsync(mesh, limitCents: 100_00);

        var order = (await mesh.Orders.CreateOrderAsync(TestData.Order(user.Id), cancellationToken: Ct)).Order;

        Assert.Equal(OrderStatus.Confirmed, order.Status);
        Assert.Equal(70_00, await AvailableCentsAsync(mesh, user.Id));
        Assert.Equal(order, (await mesh.Orders.GetOrderAsync(new GetOrderRequest { OrderId = order.Id }, cancellationToken: Ct)).Order);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_InsufficientCredit_FailedPreconditionOrderRejectedCreditUntouched()
    {
        using var mesh = new MeshHosts();
        var user = await CreateUserAsync(mesh, limitCents: 20_00);
        var request = TestData.Order(user.Id);

        var ex = await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition, async () => await mesh.Orders.CreateOrderAsync(request, cancellationToken: Ct));

        Assert.Contains("credit", ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(20_00, await AvailableCentsAsync(mesh, user.Id));
        var orders = await mesh.Orders.ListOrdersAsync(new ListOrdersRequest { UserId = user.Id }, cancellationToken: Ct);
        var rejected = Assert.Single(orders.Orders);
        Assert.Equal(OrderStatus.Rejected, rejected.Status);
        Assert.False(string.IsNullOrEmpty(rejected.StatusReason));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_UnknownUser_NotFoundAndNoOrderStored()
    {
        using var mesh = new MeshHosts();

        await RpcAssert.ThrowsAsync(StatusCode.NotFound,
            async () => await mesh.Orders.CreateOrderAsync(TestData.Order("usr_00000000000000000000000000000000"), cancellationToken: Ct));

        var orders = await mesh.Orders.ListOrdersAsync(new ListOrdersRequest { UserId = "usr_00000000000000000000000000000000" }, cancellationToken: Ct);
        Assert.Empty(orders.Orders);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_UserServiceDown_UnavailableAndNothingHalfWritten()
    {
        using var mesh = new MeshHosts(userServiceAddressOverride: new Uri($"http://127.0.0.1:{UnusedPort()}"));
        var request = TestData.Order("usr_0123456789abcdef0123456789abcdef");

        var ex = await RpcAssert.ThrowsAsync(StatusCode.Unavailable, async () => await mesh.Orders.CreateOrderAsync(request, cancellationToken: Ct));

        Assert.Contains("UserService", ex.Status.Detail, StringComparison.Ordinal);
        var store = mesh.OrderHost.Services.GetRequiredService<IOrderStore>();
        Assert.Null(await store.FindByRequestIdAsync(request.RequestId, Ct));
        Assert.Empty(await store.ReadEventsAsync(0, long.MaxValue, null, 100, Ct));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_TenConcurrentIdenticalRequests_OneOrderOneReservation()
    {
        using var mesh = new MeshHosts();
        var user = await CreateUserAsync(mesh, limitCents: 1_000_00);
        var request = TestData.Order(user.Id);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10)
            .Select(_ => mesh.Orders.CreateOrderAsync(request, cancellationToken: Ct).ResponseAsync));

        Assert.Single(responses.Select(r => r.Order.Id).Distinct());
        Assert.All(responses, r => Assert.Equal(OrderStatus.Confirmed, r.Order.Status));
        Assert.Equal(1_000_00 - 30_00, await AvailableCentsAsync(mesh, user.Id));
        var orders = await mesh.Orders.ListOrdersAsync(new ListOrdersRequest { UserId = user.Id }, cancellationToken: Ct);
        Assert.Single(orders.Orders);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CancelOrder_ConfirmedOrder_ReleasesCreditInUserServiceIdempotently()
    {
        using var mesh = new MeshHosts();
        var user = await CreateUserAsync(mesh, limitCents: 100_00);
        var order = (await mesh.Orders.CreateOrderAsync(TestData.Order(user.Id), cancellationToken: Ct)).Order;
        Assert.Equal(70_00, await AvailableCentsAsync(mesh, user.Id));

        var cancelled = (await mesh.Orders.CancelOrderAsync(new CancelOrderRequest { OrderId = order.Id, Reason = "changed my mind" }, cancellationToken: Ct)).Order;
        var again = (await mesh.Orders.CancelOrderAsync(new CancelOrderRequest { OrderId = order.Id }, cancellationToken: Ct)).Order;

        Assert.Equal(OrderStatus.Cancelled, cancelled.Status);
        Assert.Equal(OrderStatus.Cancelled, again.Status);
        Assert.Equal(100_00, await AvailableCentsAsync(mesh, user.Id));
    }

    private static async Task<User.V1.User> CreateUserAsync(MeshHosts mesh, long limitCents) =>
        (await mesh.Users.CreateUserAsync(new CreateUserRequest
        {
            Email = $"e2e-{Guid.NewGuid():N}@example.com",
            DisplayName = "End To End",
            CreditLimit = TestData.Money(limitCents),
        }, cancellationToken: Ct)).User;

    private static async Task<long> AvailableCentsAsync(MeshHosts mesh, string userId) =>
        TestData.Cents((await mesh.Users.GetUserAsync(new GetUserRequest { UserId = userId }, cancellationToken: Ct)).User.AvailableCredit);

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
