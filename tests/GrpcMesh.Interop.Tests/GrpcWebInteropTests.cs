using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using GrpcMesh.Common.V1;
using GrpcMesh.Order.V1;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;
using GrpcMesh.User.V1;

namespace GrpcMesh.Interop.Tests;

/// <summary>
/// gRPC-Web on the HTTP edge of the real processes, as a browser speaks it (HTTP/1.1, application/grpc-web-text):
/// unary calls with their statuses, the server stream WatchOrders delivering events live, and CORS for an allowed origin.
/// </summary>
public sealed class GrpcWebInteropTests
{
    private const string Origin = "http://browser.test";

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GrpcWebText_UnaryCalls_ServedWithTheirStatuses()
    {
        await using var service = await ServiceProcess.StartAsync(ServiceProcess.UserService, Cors);
        using var channel = GrpcWebChannel(service);
        var users = new User.V1.UserService.UserServiceClient(channel);
        var ct = TestContext.Current.CancellationToken;

        var created = (await users.CreateUserAsync(NewUser(), cancellationToken: ct)).User;
        var fetched = (await users.GetUserAsync(new GetUserRequest { UserId = created.Id }, cancellationToken: ct)).User;
        var invalid = await Assert.ThrowsAsync<RpcException>(() => users.CreateUserAsync(new CreateUserRequest { Email = "nope" }, cancellationToken: ct).ResponseAsync);

        Assert.Equal(created.Email, fetched.Email);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        var badRequest = invalid.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Contains(badRequest.FieldViolations, v => v.Field == "email");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GrpcWebText_WatchOrders_StreamsEventsOfAnOrderCreatedAfterItStarted()
    {
        await using var userService = await ServiceProcess.StartAsync(ServiceProcess.UserService);
        await using var orderService = await ServiceProcess.StartAsync(ServiceProcess.OrderService, new Dictionary<string, string>
        {
            ["Clients:UserService:Address"] = userService.Address.ToString(),
        });
        using var channel = GrpcWebChannel(orderService);
        var orders = new Order.V1.OrderService.OrderServiceClient(channel);
        var ct = TestContext.Current.CancellationToken;
        var user = (await new User.V1.UserService.UserServiceClient(GrpcWebChannel(userService)).CreateUserAsync(NewUser(), cancellationToken: ct)).User;

        using var watch = orders.WatchOrders(new WatchOrdersRequest { UserId = user.Id }, cancellationToken: ct);
        // The backlog is empty for a new user, so nothing arrives before the order exists: the events below are live.
        var order = (await orders.CreateOrderAsync(new CreateOrderRequest
        {
            RequestId = $"web-{Guid.NewGuid():N}",
            UserId = user.Id,
            Items = { new OrderItem { Sku = "sku-1", Quantity = 2, UnitPrice = new Money { CurrencyCode = "USD", Units = 5 } } },
        }, cancellationToken: ct)).Order;

        var seen = new List<OrderEventType>();
        while (!seen.Contains(OrderEventType.Confirmed) && await watch.ResponseStream.MoveNext(ct))
        {
            Assert.Equal(order.Id, watch.ResponseStream.Current.Order.Id);
            seen.Add(watch.ResponseStream.Current.Type);
        }

        Assert.Equal([OrderEventType.Created, OrderEventType.Confirmed], seen);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GrpcWeb_AllowedOrigin_PreflightAllowedAndGrpcStatusExposed()
    {
        await using var service = await ServiceProcess.StartAsync(ServiceProcess.UserService, Cors);
        using var http = new HttpClient { BaseAddress = service.HttpUrl };
        var ct = TestContext.Current.CancellationToken;

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/grpcmesh.user.v1.UserService/GetUser");
        preflight.Headers.Add("Origin", Origin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-grpc-web,authorization");
        using var allowed = await http.SendAsync(preflight, ct);
        using var call = new HttpRequestMessage(HttpMethod.Post, "/grpcmesh.user.v1.UserService/GetUser")
        {
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        call.Content.Headers.ContentType = new("application/grpc-web");
        call.Headers.Add("Origin", Origin);
        using var answered = await http.SendAsync(call, ct);
        using var otherOrigin = new HttpRequestMessage(HttpMethod.Options, "/grpcmesh.user.v1.UserService/GetUser");
        otherOrigin.Headers.Add("Origin", "http://elsewhere.test");
        otherOrigin.Headers.Add("Access-Control-Request-Method", "POST");
        using var refused = await http.SendAsync(otherOrigin, ct);

        Assert.Equal(Origin, Assert.Single(allowed.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("x-grpc-web", string.Join(',', allowed.Headers.GetValues("Access-Control-Allow-Headers")), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Origin, Assert.Single(answered.Headers.GetValues("Access-Control-Allow-Origin")));
        var exposed = string.Join(',', answered.Headers.GetValues("Access-Control-Expose-Headers"));
        Assert.Contains("grpc-status", exposed, StringComparison.Ordinal);
        Assert.Contains("grpc-message", exposed, StringComparison.Ordinal);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static Dictionary<string, string> Cors => new() { ["Http:CorsOrigins:0"] = Origin };

    private static CreateUserRequest NewUser() => new()
    {
        Email = $"web-{Guid.NewGuid():N}@example.com",
        DisplayName = "Web",
        CreditLimit = new Money { CurrencyCode = "USD", Units = 500 },
    };

    private static GrpcChannel GrpcWebChannel(ServiceProcess service) =>
        GrpcChannel.ForAddress(service.HttpUrl, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWebText, new HttpClientHandler()),
            HttpVersion = new Version(1, 1),
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
}
