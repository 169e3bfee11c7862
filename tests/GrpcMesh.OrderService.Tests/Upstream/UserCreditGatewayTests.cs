using Grpc.Core;
using GrpcMesh.Domain;
using GrpcMesh.OrderService.Saga;
using GrpcMesh.OrderService.Upstream;
using GrpcMesh.Testing;
using Microsoft.Extensions.Options;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.OrderService.Tests.Upstream;

/// <summary>How a failed UserService call is classified, and what OrderService's caller is told about it.</summary>
public sealed class UserCreditGatewayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_ClientMadeInternalFromBrokenConnection_Unavailable()
    {
        var broken = new RpcException(new Status(StatusCode.Internal,
            "Error starting gRPC call. HttpRequestException: An HTTP/2 connection could not be established because the server did not complete the HTTP/2 handshake.",
            new HttpRequestException("handshake", new IOException("connection reset by peer"))));

        var failure = (await GatewayFailingWith(broken).GetUserAsync("usr_1", DateTime.UtcNow.AddSeconds(30), Ct)).Failure;

        Assert.Equal(StatusCode.Unavailable, failure?.Code);
        Assert.StartsWith("connection to UserService failed: Error starting gRPC call.", failure!.Detail, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_InternalSentByUserService_StaysInternal()
    {
        var failure = (await GatewayFailingWith(new RpcException(new Status(StatusCode.Internal, "database on fire")))
            .GetUserAsync("usr_1", DateTime.UtcNow.AddSeconds(30), Ct)).Failure;

        Assert.Equal(StatusCode.Internal, failure?.Code);
        Assert.False(failure!.IsCredentialRejected);
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(StatusCode.Unauthenticated, "UNAUTHENTICATED")]
    [InlineData(StatusCode.PermissionDenied, "PERMISSION_DENIED")]
    public async Task ReserveCredit_ServiceCredentialRejected_CallerGetsInternalNamingTheCredentialNotTheAuthCode(StatusCode code, string name)
    {
        var failure = (await GatewayFailingWith(new RpcException(new Status(code, "ReserveCredit requires scope 'users.write'")))
            .ReserveCreditAsync("usr_1", "ord_1", new Money("USD", 25_00), DateTime.UtcNow.AddSeconds(30), Ct)).Failure!;

        var forCaller = UpstreamErrors.ForCaller(failure, "ReserveCredit", "order ord_1 was rejected and no credit was reserved");

        Assert.True(failure.IsCredentialRejected);
        Assert.False(failure.IsRefusal);
        Assert.Equal(StatusCode.Internal, forCaller.StatusCode);
        Assert.StartsWith($"OrderService's service credential was rejected by UserService ({name}) on ReserveCredit: ReserveCredit requires scope 'users.write'; order ord_1 was rejected",
            forCaller.Status.Detail, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_BugInTheCallPath_PropagatesInsteadOfPosingAsUnavailable()
    {
        var bug = new InvalidOperationException("a bug, not a failed call");

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(
            () => GatewayFailingWith(bug).GetUserAsync("usr_1", DateTime.UtcNow.AddSeconds(30), Ct));

        Assert.Same(bug, thrown);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_TransportExceptionNotWrappedInRpcException_Unavailable()
    {
        var failure = (await GatewayFailingWith(new HttpRequestException("connection refused"))
            .GetUserAsync("usr_1", DateTime.UtcNow.AddSeconds(30), Ct)).Failure;

        Assert.Equal(StatusCode.Unavailable, failure?.Code);
        Assert.Equal(StatusCode.Unavailable, UpstreamErrors.ForCaller(failure!, "GetUser", "no order was created").StatusCode);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_ConcurrentChangeInUserService_CallerToldUnavailableToRetry()
    {
        var failure = (await GatewayFailingWith(new RpcException(new Status(StatusCode.Aborted, "concurrent modification")))
            .GetUserAsync("usr_1", DateTime.UtcNow.AddSeconds(30), Ct)).Failure!;

        Assert.Equal(StatusCode.Unavailable, UpstreamErrors.ForCaller(failure, "GetUser", "no order was created").StatusCode);
        Assert.False(failure.IsRefusal);
    }

    private static UserCreditGateway GatewayFailingWith(Exception error) =>
        new(new UserServiceClient(new FailingCallInvoker(error)), Options.Create(new OrderServiceOptions()));

    private sealed class FailingCallInvoker(Exception error) : CallInvoker
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            new(Task.FromException<TResponse>(error), Task.FromResult(new Metadata()), () => (error as RpcException)?.Status ?? Status.DefaultCancelled, () => [], () => { });

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw error;

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
            Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw new NotSupportedException();

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
            Method<TRequest, TResponse> method, string? host, CallOptions options) => throw new NotSupportedException();

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
            Method<TRequest, TResponse> method, string? host, CallOptions options) => throw new NotSupportedException();
    }
}
