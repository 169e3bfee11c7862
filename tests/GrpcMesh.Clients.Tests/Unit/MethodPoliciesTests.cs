using GrpcMesh.Clients.Resilience;
using GrpcMesh.Clients.Options;
using GrpcMesh.Order.V1;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;

namespace GrpcMesh.Clients.Tests.Unit;

public sealed class MethodPoliciesTests
{
    private static MethodPolicies UserCatalog(Action<GrpcMeshClientOptions>? configure = null)
    {
        var options = new GrpcMeshClientOptions();
        configure?.Invoke(options);
        return new MethodPolicies(UserService.Descriptor, options);
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("GetUser", true)]
    [InlineData("ListUsers", true)]
    [InlineData("UpdateUser", true)]
    [InlineData("DeleteUser", true)]
    [InlineData("ReserveCredit", true)]
    [InlineData("ReleaseCredit", true)]
    [InlineData("CreateUser", false)]
    public Task Get_UserServiceMethods_IdempotencyFromProtoOption(string method, bool idempotent) => TestTimeouts.RunSync(() =>
        Assert.Equal(idempotent, UserCatalog().Get($"/grpcmesh.user.v1.UserService/{method}", streaming: false).IsIdempotent), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task IsSafeToRepeat_CreateUserWithRequestId_True() => TestTimeouts.RunSync(() =>
    {
        var policy = UserCatalog().Get("/grpcmesh.user.v1.UserService/CreateUser", streaming: false);

        Assert.False(policy.IsSafeToRepeat(new CreateUserRequest { Email = "a@b.c" }));
        Assert.True(policy.IsSafeToRepeat(new CreateUserRequest { Email = "a@b.c", RequestId = "req-1" }));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Get_OrderService_CreateOrderNeedsKeyAndWatchIsIdempotent() => TestTimeouts.RunSync(() =>
    {
        var catalog = new MethodPolicies(OrderService.Descriptor, new GrpcMeshClientOptions());

        var create = catalog.Get("/grpcmesh.order.v1.OrderService/CreateOrder", streaming: false);
        Assert.False(create.IsIdempotent);
        Assert.True(create.IsSafeToRepeat(new CreateOrderRequest { RequestId = "ord-1" }));
        Assert.True(catalog.Get("/grpcmesh.order.v1.OrderService/GetOrder", streaming: false).IsIdempotent);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Get_MethodDeadlinesByNameOrPath_OverrideTheDefaults() => TestTimeouts.RunSync(() =>
    {
        var catalog = UserCatalog(o =>
        {
            o.DefaultDeadline = TimeSpan.FromSeconds(5);
            o.MethodDeadlines["GetUser"] = TimeSpan.FromSeconds(1);
            o.MethodDeadlines["/grpcmesh.user.v1.UserService/ListUsers"] = TimeSpan.FromSeconds(9);
        });

        Assert.Equal(TimeSpan.FromSeconds(1), catalog.Get("/grpcmesh.user.v1.UserService/GetUser", false).Deadline);
        Assert.Equal(TimeSpan.FromSeconds(9), catalog.Get("/grpcmesh.user.v1.UserService/ListUsers", false).Deadline);
        Assert.Equal(TimeSpan.FromSeconds(5), catalog.Get("/grpcmesh.user.v1.UserService/CreateUser", false).Deadline);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Get_MethodPerAttemptTimeoutsByNameOrPath_OverTheRetryDefault() => TestTimeouts.RunSync(() =>
    {
        var catalog = UserCatalog(o =>
        {
            o.Retry.PerAttemptTimeout = TimeSpan.FromSeconds(2);
            o.Retry.MethodPerAttemptTimeouts["GetUser"] = TimeSpan.FromMilliseconds(300);
            o.Retry.MethodPerAttemptTimeouts["/grpcmesh.user.v1.UserService/ListUsers"] = TimeSpan.FromSeconds(1);
        });

        Assert.Equal(TimeSpan.FromMilliseconds(300), catalog.Get("/grpcmesh.user.v1.UserService/GetUser", false).PerAttemptTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), catalog.Get("/grpcmesh.user.v1.UserService/ListUsers", false).PerAttemptTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), catalog.Get("/grpcmesh.user.v1.UserService/UpdateUser", false).PerAttemptTimeout);
        Assert.Null(UserCatalog().Get("/grpcmesh.user.v1.UserService/GetUser", false).PerAttemptTimeout);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Get_StreamingMethod_UsesStreamingDefault() => TestTimeouts.RunSync(() =>
    {
        var options = new GrpcMeshClientOptions { DefaultStreamingDeadline = TimeSpan.FromMinutes(7) };

        var watch = new MethodPolicies(OrderService.Descriptor, options).Get("/grpcmesh.order.v1.OrderService/WatchOrders", streaming: true);

        Assert.Equal(TimeSpan.FromMinutes(7), watch.Deadline);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Get_UnknownMethod_NotIdempotentWithDefaultDeadline() => TestTimeouts.RunSync(() =>
    {
        var policy = UserCatalog(o => o.DefaultDeadline = TimeSpan.FromSeconds(3)).Get("/other.Service/Do", streaming: false);

        Assert.False(policy.IsIdempotent);
        Assert.Equal(TimeSpan.FromSeconds(3), policy.Deadline);
    }, TestContext.Current.CancellationToken);
}
