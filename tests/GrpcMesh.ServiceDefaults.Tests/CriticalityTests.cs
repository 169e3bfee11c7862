using GrpcMesh.Clients;
using GrpcMesh.Order.V1;
using GrpcMesh.ServiceDefaults.Tests.Support;
using GrpcMesh.ServiceDefaults.Upstream;
using GrpcMesh.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.ServiceDefaults.Tests;

/// <summary>A server call's criticality goes with the calls a GrpcMesh client makes while handling it.</summary>
public sealed class CriticalityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(true, "criticality:sheddable")]
    [InlineData(false, "criticality:")]
    public async Task DownstreamCall_InheritsTheIncomingCallsCriticality(bool sheddable, string seenByUserService)
    {
        await using var users = await Hosts.StartUsersAsync();
        // CalledFromThisService registers what lets the client see the server call it is made from.
        await using var orders = await Hosts.StartOrdersAsync(users, configure: builder =>
            builder.Services.AddHttpClient(GrpcMeshClientNames.UserService).CalledFromThisService("fake-orders", "users.read"));
        var client = new OrderService.OrderServiceClient(orders.Channel);

        var response = await client.GetOrderAsync(
            new GetOrderRequest { OrderId = "criticality" }, sheddable ? Criticality.SheddableHeaders() : null, cancellationToken: Ct);

        Assert.Equal(seenByUserService, response.Order.UserId);
    }
}
