using System.Net.Sockets;
using Grpc.Core;
using GrpcMesh.Clients.Statuses;
using GrpcMesh.Testing;
using Polly.CircuitBreaker;

namespace GrpcMesh.Clients.Tests.Unit;

/// <summary>The one table of what a status means; every other test picks its codes from <see cref="StatusTaxonomy"/>.</summary>
public sealed class StatusTaxonomyTests
{
    // code → kind, retried (safe to repeat, sent, no pushback) · breaker failure · endpoint failure
    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(StatusCode.OK, StatusKind.Success, false, false, false)]
    [InlineData(StatusCode.InvalidArgument, StatusKind.Refusal, false, false, false)]
    [InlineData(StatusCode.NotFound, StatusKind.Refusal, false, false, false)]
    [InlineData(StatusCode.FailedPrecondition, StatusKind.Refusal, false, false, false)]
    [InlineData(StatusCode.OutOfRange, StatusKind.Refusal, false, false, false)]
    [InlineData(StatusCode.Unauthenticated, StatusKind.CredentialRefusal, false, false, false)]
    [InlineData(StatusCode.PermissionDenied, StatusKind.CredentialRefusal, false, false, false)]
    [InlineData(StatusCode.AlreadyExists, StatusKind.Conflict, false, false, false)]
    [InlineData(StatusCode.Aborted, StatusKind.Conflict, false, false, false)]
    [InlineData(StatusCode.Unimplemented, StatusKind.Conflict, false, false, false)]
    [InlineData(StatusCode.ResourceExhausted, StatusKind.Overload, false, false, false)]
    [InlineData(StatusCode.Unavailable, StatusKind.Unavailable, true, true, true)]
    [InlineData(StatusCode.DeadlineExceeded, StatusKind.Timeout, false, true, true)]
    [InlineData(StatusCode.Cancelled, StatusKind.Cancelled, false, false, false)]
    [InlineData(StatusCode.Internal, StatusKind.ServerError, false, true, false)]
    [InlineData(StatusCode.Unknown, StatusKind.ServerError, false, true, false)]
    [InlineData(StatusCode.DataLoss, StatusKind.ServerError, false, true, false)]
    public Task KindOf_EveryStatusCode_MatchesTheDocumentedTable(StatusCode code, StatusKind kind, bool retried, bool breakerFailure, bool endpointFailure) => TestTimeouts.RunSync(() =>
    {
        var actual = StatusTaxonomy.KindOf(code);

        Assert.Equal(kind, actual);
        Assert.Equal(retried, StatusTaxonomy.IsRetryable(actual, safeToRepeat: true, neverSent: false, hasPushback: false));
        Assert.Equal(breakerFailure, StatusTaxonomy.IsBreakerFailure(actual));
        Assert.Equal(endpointFailure, StatusTaxonomy.IsEndpointFailure(actual));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task KindOf_EveryCodeHasARow() => TestTimeouts.RunSync(() => Assert.Equal(17, Enum.GetValues<StatusCode>().Length), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task IsRetryable_OverloadOnlyWhenSafeAndPushedBack() => TestTimeouts.RunSync(() =>
    {
        Assert.True(StatusTaxonomy.IsRetryable(StatusKind.Overload, safeToRepeat: true, neverSent: false, hasPushback: true));
        Assert.False(StatusTaxonomy.IsRetryable(StatusKind.Overload, safeToRepeat: false, neverSent: true, hasPushback: true));
        Assert.False(StatusTaxonomy.IsRetryable(StatusKind.Overload, safeToRepeat: true, neverSent: false, hasPushback: false));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task IsRetryable_UnavailableNotSafeOnlyWhenNeverSent() => TestTimeouts.RunSync(() =>
    {
        Assert.True(StatusTaxonomy.IsRetryable(StatusKind.Unavailable, safeToRepeat: false, neverSent: true, hasPushback: false));
        Assert.False(StatusTaxonomy.IsRetryable(StatusKind.Unavailable, safeToRepeat: false, neverSent: false, hasPushback: false));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task KindOf_InternalCarryingATransportException_UnavailableBecauseNoServerSentIt() => TestTimeouts.RunSync(() =>
        Assert.Equal(StatusKind.Unavailable, StatusTaxonomy.KindOf(
            new RpcException(new Status(StatusCode.Internal, "reset", new HttpRequestException("handshake", new IOException("reset")))))), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task KindOf_OpenCircuitRefusal_CircuitOpenNeverRetriedNorCounted() => TestTimeouts.RunSync(() =>
    {
        var kind = StatusTaxonomy.KindOf(new RpcException(new Status(StatusCode.Unavailable, "circuit open", new BrokenCircuitException())));

        Assert.Equal(StatusKind.CircuitOpen, kind);
        Assert.False(StatusTaxonomy.IsRetryable(kind, safeToRepeat: true, neverSent: true, hasPushback: true));
        Assert.False(StatusTaxonomy.IsEndpointOutcome(kind));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task KindOf_ExceptionsThatAreNotRpcExceptions_ByWhatTheyMean() => TestTimeouts.RunSync(() =>
    {
        Assert.Equal(StatusKind.Success, StatusTaxonomy.KindOf((Exception?)null));
        Assert.Equal(StatusKind.Cancelled, StatusTaxonomy.KindOf(new OperationCanceledException()));
        Assert.Equal(StatusKind.Unavailable, StatusTaxonomy.KindOf(new SocketException((int)SocketError.ConnectionRefused)));
        Assert.Equal(StatusKind.ServerError, StatusTaxonomy.KindOf(new InvalidOperationException("bug")));
    }, TestContext.Current.CancellationToken);
}
