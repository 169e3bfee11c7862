using Grpc.Net.Client;
using GrpcMesh.Order.V1;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;
using GrpcMesh.User.V1;
using Microsoft.Extensions.Logging;
using OrderServiceClient = GrpcMesh.Order.V1.OrderService.OrderServiceClient;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.OrderService.Tests.EndToEnd;

/// <summary>A WatchOrders client going away is a normal end of the call: the real process logs no error for it.</summary>
public sealed class WatchOrdersCancelLogTests
{
    // 30 orders of 100 items make a backlog of about 60 events × 8 KB: far more than HTTP/2 flow control lets the server
    // send to a client that stopped reading, so the server is still writing the backlog when the client cancels.
    private const int Orders = 30;
    private const int ItemsPerOrder = 100;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task WatchOrders_ClientCancelsWhileServerWritesBacklog_LogsNothingAtErrorOrAbove()
    {
        await using var userService = await ServiceProcess.StartAsync(ServiceProcess.UserService);
        await using var orderService = await ServiceProcess.StartAsync(ServiceProcess.OrderService, new Dictionary<string, string>
        {
            ["Clients:UserService:Address"] = userService.Address.ToString(),
            ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
        });
        using var userChannel = GrpcChannel.ForAddress(userService.Address);
        using var orderChannel = GrpcChannel.ForAddress(orderService.Address);
        var orders = new OrderServiceClient(orderChannel);
        var userId = (await new UserServiceClient(userChannel).CreateUserAsync(new CreateUserRequest
        {
            Email = $"watch-{Guid.NewGuid():N}@example.com",
            DisplayName = "Watcher",
            CreditLimit = TestData.Money(1_000_000_00),
        }, cancellationToken: Ct)).User.Id;
        var items = Enumerable.Range(0, ItemsPerOrder).Select(i => TestData.Item($"SKU-{i:D3}-" + new string('x', 56), 1, 100)).ToArray();
        for (var i = 0; i < Orders; i++)
        {
            await orders.CreateOrderAsync(TestData.Order(userId, null, items), cancellationToken: Ct);
        }

        var before = orderService.OutputLines.Count;
        using (var watch = orders.WatchOrders(new WatchOrdersRequest { UserId = userId }, cancellationToken: Ct))
        {
            Assert.True(await watch.ResponseStream.MoveNext(Ct));
        }

        // Disposing the call above reset the stream (RST_STREAM CANCEL).
        await Eventually.WaitAsync(() => orderService.RequestFinished("/grpcmesh.order.v1.OrderService/WatchOrders"),
            "the server to finish the cancelled WatchOrders call", Patience);
        Assert.Empty(orderService.LinesAtOrAbove(LogLevel.Error, fromLine: before));
    }
}
