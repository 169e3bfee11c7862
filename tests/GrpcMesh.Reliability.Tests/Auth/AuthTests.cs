using System.Net;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using GrpcMesh.Clients;
using GrpcMesh.Clients.Auth;
using GrpcMesh.Order.V1;
using GrpcMesh.Reliability.Tests.Support;
using GrpcMesh.OrderService.Grpc;
using GrpcMesh.ServiceDefaults.Auth;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using GrpcMesh.UserService;
using GrpcMesh.UserService.Grpc;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using OrderServiceClient = GrpcMesh.Order.V1.OrderService.OrderServiceClient;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.Reliability.Tests.Auth;

/// <summary>Bearer tokens and scopes through the services' production pipeline (AddServiceDefaults, JwtBearer validation).</summary>
public sealed class AuthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TestTokens _tokens = new();

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_NoToken_UnauthenticatedAskingForBearer()
    {
        var ex = await GetUserUnauthenticatedAsync(headers: null);

        Assert.Contains("missing bearer token", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("MISSING_TOKEN", ex.GetRpcStatus()!.GetDetail<ErrorInfo>()!.Reason);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Unary_NoTokenOnKestrel_TrailersOnlyHttp200WithGrpcStatusAndMessage()
    {
        using var host = new GrpcTestHost<UserServiceMarker>(HostSettings.For(_tokens));
        var address = host.StartOnLoopback();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "/grpcmesh.user.v1.UserService/GetUser"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = new("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("16", Assert.Single(response.Headers.GetValues("grpc-status")));
        Assert.Contains("missing bearer token", Uri.UnescapeDataString(Assert.Single(response.Headers.GetValues("grpc-message"))), StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_ExpiredToken_UnauthenticatedSaysExpired()
    {
        var expired = _tokens.Create("alice", DateTimeOffset.UtcNow.AddHours(-2), TimeSpan.FromHours(1), UserServiceScopes.Read);

        var ex = await GetUserUnauthenticatedAsync(TestTokens.Bearer(expired));

        Assert.Contains("expired", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_TokenSignedWithAnotherKey_UnauthenticatedSaysSignature()
    {
        var forged = new TestTokens().Create("mallory", UserServiceScopes.Read);

        var ex = await GetUserUnauthenticatedAsync(TestTokens.Bearer(forged));

        Assert.Contains("signature", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("not-a-jwt", "malformed")]
    [InlineData("", "not a bearer token")]
    public async Task GetUser_GarbageCredential_Unauthenticated(string token, string expected)
    {
        var ex = await GetUserUnauthenticatedAsync(new Metadata { { "authorization", "Bearer " + token } });

        Assert.Contains(expected, ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_WrongAudience_Unauthenticated()
    {
        var other = ServiceTokenIssuer.Create(new AuthOptions { SigningKey = _tokens.SigningKey, Audience = "someone-else" },
            "alice", [UserServiceScopes.Read], DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));

        var ex = await GetUserUnauthenticatedAsync(TestTokens.Bearer(other));

        Assert.Contains("audience", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_ReadOnlyScope_PermissionDeniedNamingMissingScope()
    {
        using var host = new GrpcTestHost<UserServiceMarker>(HostSettings.For(_tokens));
        var users = new UserServiceClient(host.Channel);
        var reader = _tokens.Create("alice", UserServiceScopes.Read, OrderServiceScopes.Write);

        var ex = await RpcAssert.ThrowsAsync(StatusCode.PermissionDenied,
            () => users.CreateUserAsync(Users.NewUser(), TestTokens.Bearer(reader), cancellationToken: Ct));

        Assert.Contains("requires scope 'users.write'", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("users.write", ex.GetRpcStatus()!.GetDetail<ErrorInfo>()!.Metadata["scope"]);
        Assert.Empty((await users.ListUsersAsync(new ListUsersRequest(), TestTokens.Bearer(reader), cancellationToken: Ct)).Users);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateAndGetUser_TokenWithScopes_Served()
    {
        using var host = new GrpcTestHost<UserServiceMarker>(HostSettings.For(_tokens));
        var users = new UserServiceClient(host.Channel);
        var token = TestTokens.Bearer(_tokens.Create("alice", UserServiceScopes.Read, UserServiceScopes.Write));

        var created = (await users.CreateUserAsync(Users.NewUser(), token, cancellationToken: Ct)).User;
        var read = (await users.GetUserAsync(new GetUserRequest { UserId = created.Id }, token, cancellationToken: Ct)).User;

        Assert.Equal(created.Id, read.Id);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Health_NoToken_Serving()
    {
        using var host = new GrpcTestHost<UserServiceMarker>(HostSettings.For(_tokens));

        var response = await new Health.HealthClient(host.Channel).CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Reflection_EnabledNoToken_ListsServices()
    {
        using var host = new GrpcTestHost<UserServiceMarker>(HostSettings.For(_tokens, ("Reflection:Enabled", "true")));
        var reflection = new Grpc.Reflection.V1.ServerReflection.ServerReflectionClient(host.Channel);

        using var call = reflection.ServerReflectionInfo(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new Grpc.Reflection.V1.ServerReflectionRequest { ListServices = "" }, Ct);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(Ct));

        Assert.Contains(call.ResponseStream.Current.ListServicesResponse.Service, s => s.Name == "grpcmesh.user.v1.UserService");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_SameTokenManyCalls_ValidatedOnce()
    {
        var validations = 0;
        using var host = new GrpcTestHost<UserServiceMarker>(HostSettings.For(_tokens), services =>
            services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.Events = new JwtBearerEvents
            {
                OnTokenValidated = _ =>
                {
                    Interlocked.Increment(ref validations);
                    return Task.CompletedTask;
                },
            }));
        var users = new UserServiceClient(host.Channel);
        var token = TestTokens.Bearer(_tokens.Create("alice", UserServiceScopes.Read));

        for (var i = 0; i < 20; i++)
        {
            await users.ListUsersAsync(new ListUsersRequest(), token, cancellationToken: Ct);
        }

        Assert.Equal(1, validations);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_AuthOnBothServices_OrderServiceCallsUserServiceWithItsOwnCredential()
    {
        using var mesh = new SecureMesh(_tokens);
        var users = new UserServiceClient(mesh.UserHost.Channel);
        var orders = new OrderServiceClient(mesh.OrderHost.Channel);
        var user = (await users.CreateUserAsync(Users.NewUser(), TestTokens.Bearer(_tokens.Create("admin", UserServiceScopes.Write)), cancellationToken: Ct)).User;

        // The caller's token has order scopes only: UserService accepts the call because OrderService sends its own.
        var order = (await orders.CreateOrderAsync(Users.NewOrder(user.Id), TestTokens.Bearer(_tokens.Create("shopper", OrderServiceScopes.Write)), cancellationToken: Ct)).Order;

        Assert.Equal(OrderStatus.Confirmed, order.Status);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_OrderServiceKeyNotTrustedByUserService_InternalNamingTheRejectedCredentialAndNoOrder()
    {
        var orderKey = new TestTokens();
        using var mesh = new SecureMesh(_tokens, new Dictionary<string, string?> { ["Auth:SigningKey"] = orderKey.SigningKey });
        var users = new UserServiceClient(mesh.UserHost.Channel);
        var user = (await users.CreateUserAsync(Users.NewUser(), TestTokens.Bearer(_tokens.Create("admin", UserServiceScopes.Write)), cancellationToken: Ct)).User;
        var orders = new OrderServiceClient(mesh.OrderHost.Channel);
        var caller = TestTokens.Bearer(orderKey.Create("shopper", OrderServiceScopes.Write, OrderServiceScopes.Read));

        // The caller's token is valid for OrderService: the failure is OrderService's, so not UNAUTHENTICATED.
        var ex = await RpcAssert.ThrowsAsync(StatusCode.Internal, () => orders.CreateOrderAsync(Users.NewOrder(user.Id), caller, cancellationToken: Ct));

        Assert.StartsWith("OrderService's service credential was rejected by UserService (UNAUTHENTICATED) on GetUser: ", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("no order was created", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await orders.ListOrdersAsync(new ListOrdersRequest { UserId = user.Id }, caller, cancellationToken: Ct)).Orders);
        Assert.Equal(1_000_00, await AvailableCentsAsync(users, user.Id));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_OrderServiceCredentialLacksUsersWrite_InternalNamingPermissionDeniedOrderRejectedNothingReserved()
    {
        // A misconfigured credential that can read users (GetUser passes) but not reserve credit.
        var readOnly = new FixedToken(_tokens.Create("grpcmesh-orderservice", UserServiceScopes.Read));
        using var mesh = new SecureMesh(_tokens, orderServices: services =>
            services.AddKeyedSingleton<ICallTokenProvider>(GrpcMeshClientNames.UserService, readOnly));
        var users = new UserServiceClient(mesh.UserHost.Channel);
        var user = (await users.CreateUserAsync(Users.NewUser(), TestTokens.Bearer(_tokens.Create("admin", UserServiceScopes.Write)), cancellationToken: Ct)).User;
        var orders = new OrderServiceClient(mesh.OrderHost.Channel);
        var caller = TestTokens.Bearer(_tokens.Create("shopper", OrderServiceScopes.Write, OrderServiceScopes.Read));

        var ex = await RpcAssert.ThrowsAsync(StatusCode.Internal, () => orders.CreateOrderAsync(Users.NewOrder(user.Id), caller, cancellationToken: Ct));

        Assert.StartsWith("OrderService's service credential was rejected by UserService (PERMISSION_DENIED) on ReserveCredit: ", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("users.write", ex.Status.Detail, StringComparison.Ordinal);
        var order = Assert.Single((await orders.ListOrdersAsync(new ListOrdersRequest { UserId = user.Id }, caller, cancellationToken: Ct)).Orders);
        Assert.Equal(OrderStatus.Rejected, order.Status);
        Assert.Contains("service credential was rejected", order.StatusReason, StringComparison.Ordinal);
        Assert.Equal(1_000_00, await AvailableCentsAsync(users, user.Id));
    }

    private async Task<long> AvailableCentsAsync(UserServiceClient users, string userId) =>
        Cents((await users.GetUserAsync(new GetUserRequest { UserId = userId }, TestTokens.Bearer(_tokens.Create("admin", UserServiceScopes.Read)), cancellationToken: Ct)).User.AvailableCredit);

    private sealed class FixedToken(string token) : ICallTokenProvider
    {
        public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(token);
    }

    private static long Cents(Common.V1.Money money) => money.Units * 100 + money.Nanos / 10_000_000;

    /// <summary>GetUser on a fresh UserService host with <paramref name="headers"/>: it must fail with UNAUTHENTICATED.</summary>
    private async Task<RpcException> GetUserUnauthenticatedAsync(Metadata? headers)
    {
        using var host = new GrpcTestHost<UserServiceMarker>(HostSettings.For(_tokens));
        var users = new UserServiceClient(host.Channel);
        return await RpcAssert.ThrowsAsync(StatusCode.Unauthenticated,
            () => users.GetUserAsync(new GetUserRequest { UserId = "usr_x" }, headers, cancellationToken: Ct));
    }
}
