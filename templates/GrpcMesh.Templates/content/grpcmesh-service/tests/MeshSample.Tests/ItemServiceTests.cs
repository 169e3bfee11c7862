using Grpc.Core;
using GrpcMesh.Clients;
using GrpcMesh.Testing;
using MeshSample.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace MeshSample.Tests;

public sealed class ItemServiceTests : IAsyncLifetime
{
    private WebApplication _users = null!;

    public async ValueTask InitializeAsync() => _users = await FakeUserService.StartAsync("u1");

    public ValueTask DisposeAsync() => _users.DisposeAsync();

    private GrpcTestHost<Program> Host(IReadOnlyDictionary<string, string?>? settings = null) =>
        new(settings, services => GrpcMeshTestClients.PointAt(
            services, GrpcMeshClientNames.UserService, _users.GetTestServer().BaseAddress, () => _users.GetTestServer().CreateHandler()));

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task PutItem_OwnerIsAUser_GetItemReturnsIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = Host();
        var client = new MeshSampleService.MeshSampleServiceClient(host.Channel);
        var item = new Item { ItemId = "sku-1", OwnerUserId = "u1", Name = "Widget", Quantity = 3 };

        await client.PutItemAsync(new PutItemRequest { Item = item }, cancellationToken: ct);
        var read = await client.GetItemAsync(new GetItemRequest { ItemId = "sku-1" }, cancellationToken: ct);

        Assert.Equal(item, read.Item);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task PutItem_OwnerUnknownToUserService_FailedPreconditionAndNothingStored()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = Host();
        var client = new MeshSampleService.MeshSampleServiceClient(host.Channel);

        var error = await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition, () => client.PutItemAsync(
            new PutItemRequest { Item = new Item { ItemId = "sku-2", OwnerUserId = "nobody", Name = "Widget" } }, cancellationToken: ct));

        Assert.Contains("nobody", error.Status.Detail, StringComparison.Ordinal);
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => client.GetItemAsync(new GetItemRequest { ItemId = "sku-2" }, cancellationToken: ct));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task PutItem_InvalidFields_InvalidArgumentNamingEachField()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = Host();
        var client = new MeshSampleService.MeshSampleServiceClient(host.Channel);

        await RpcAssert.InvalidArgumentAsync(
            () => client.PutItemAsync(new PutItemRequest { Item = new Item { ItemId = "sku-3", Quantity = -1 } }, cancellationToken: ct),
            "item.name", "item.quantity", "item.owner_user_id");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetItem_MalformedId_InvalidArgument()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = Host();
        var client = new MeshSampleService.MeshSampleServiceClient(host.Channel);

        await RpcAssert.InvalidArgumentAsync(() => client.GetItemAsync(new GetItemRequest { ItemId = "no spaces" }, cancellationToken: ct), "item_id");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AuthOn_TokenWithoutTheScopeRefused_TokenWithItAnswered()
    {
        var ct = TestContext.Current.CancellationToken;
        var tokens = new TestTokens();
        await using var host = Host(tokens.HostSettings());
        var client = new MeshSampleService.MeshSampleServiceClient(host.Channel);
        var request = new GetItemRequest { ItemId = "sku-4" };

        await RpcAssert.ThrowsAsync(StatusCode.Unauthenticated, () => client.GetItemAsync(request, cancellationToken: ct));
        await RpcAssert.ThrowsAsync(StatusCode.PermissionDenied,
            () => client.GetItemAsync(request, TestTokens.Bearer(tokens.Create("reader", "users.read")), cancellationToken: ct));
        await RpcAssert.ThrowsAsync(StatusCode.NotFound,
            () => client.GetItemAsync(request, TestTokens.Bearer(tokens.Create("reader", MeshSampleScopes.Read)), cancellationToken: ct));
    }
}
