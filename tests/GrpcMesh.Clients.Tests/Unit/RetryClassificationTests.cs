using System.Net.Sockets;
using Grpc.Core;
using GrpcMesh.Clients.Statuses;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Resilience;
using GrpcMesh.Testing;
using Polly.CircuitBreaker;

namespace GrpcMesh.Clients.Tests.Unit;

public sealed class RetryClassificationTests
{
    private static RpcException Error(StatusCode code, Exception? debug = null, string? pushback = null)
    {
        var trailers = new Metadata();
        if (pushback is not null)
        {
            trailers.Add(GrpcMeshMetadata.RetryPushback, pushback);
        }

        return new RpcException(new Status(code, "x", debug), trailers);
    }

    private static Exception ConnectionRefused() =>
        new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:1)", new SocketException((int)SocketError.ConnectionRefused));

    /// <summary>What SocketsHttpHandler throws from SendAsync when the server's GOAWAY (NO_ERROR) closes the connection the request was on.</summary>
    private static Exception GracefulClose(HttpRequestError error) =>
        new HttpRequestException(error, "The HTTP/2 server closed the connection. HTTP/2 error code 'NO_ERROR' (0x0).", new HttpProtocolException(0, "The HTTP/2 server closed the connection.", null));

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Classify_UnavailableSafeToRepeat_Backoff() => TestTimeouts.RunSync(() =>
        Assert.Equal(RetryPolicy.Verdict.Backoff, RetryPolicy.Classify(Error(StatusCode.Unavailable), safeToRepeat: true, out _)), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Classify_UnavailableNotSafeAfterReachingServer_Stop() => TestTimeouts.RunSync(() =>
        Assert.Equal(RetryPolicy.Verdict.Stop, RetryPolicy.Classify(Error(StatusCode.Unavailable), safeToRepeat: false, out _)), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Classify_UnavailableNotSafeButConnectionRefused_Backoff() => TestTimeouts.RunSync(() =>
        Assert.Equal(RetryPolicy.Verdict.Backoff, RetryPolicy.Classify(Error(StatusCode.Unavailable, ConnectionRefused()), safeToRepeat: false, out _)), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Classify_InternalMadeUpFromBrokenConnectionSafeToRepeat_BackoffLikeUnavailable() => TestTimeouts.RunSync(() =>
        Assert.Equal(RetryPolicy.Verdict.Backoff, RetryPolicy.Classify(
            Error(StatusCode.Internal, new HttpRequestException(HttpRequestError.InvalidResponse, "The server did not complete the HTTP/2 handshake", new IOException("reset"))),
            safeToRepeat: true, out _)), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Classify_InternalMadeUpFromBrokenConnectionNotSafe_Stop() => TestTimeouts.RunSync(() =>
        Assert.Equal(RetryPolicy.Verdict.Stop, RetryPolicy.Classify(
            Error(StatusCode.Internal, new IOException("The request was aborted.")), safeToRepeat: false, out _)), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task KindOf_InternalSentByServer_ServerError() => TestTimeouts.RunSync(() =>
        Assert.Equal(StatusKind.ServerError, StatusTaxonomy.KindOf(Error(StatusCode.Internal))), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task KindOf_UnavailableWithTransportCause_Unavailable() => TestTimeouts.RunSync(() =>
        Assert.Equal(StatusKind.Unavailable, StatusTaxonomy.KindOf(Error(StatusCode.Unavailable, ConnectionRefused()))), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Classify_UnavailableAfterResponseStarted_NotNeverSent() => TestTimeouts.RunSync(() =>
        Assert.False(StatusTaxonomy.NeverSent(Error(StatusCode.Unavailable, new HttpRequestException(HttpRequestError.ResponseEnded, "ended")))), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Classify_NotSafeButRefusedByAGracefulGoAwayBeforeAnyResponse_Backoff() => TestTimeouts.RunSync(() =>
        Assert.Equal(RetryPolicy.Verdict.Backoff, RetryPolicy.Classify(Error(StatusCode.Internal, GracefulClose(HttpRequestError.HttpProtocolError)), safeToRepeat: false, out _)),
        TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task NeverSent_GracefulCloseAfterTheResponseStartedOrAnErrorClose_False() => TestTimeouts.RunSync(() =>
    {
        Assert.False(StatusTaxonomy.NeverSent(Error(StatusCode.Internal, new IOException("Error reading next message.", new HttpProtocolException(0, "The HTTP/2 server closed the connection.", null)))));
        Assert.False(StatusTaxonomy.NeverSent(Error(StatusCode.Internal, new HttpRequestException(HttpRequestError.HttpProtocolError, "closed", new HttpProtocolException(2, "INTERNAL_ERROR", null)))));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Classify_ResourceExhaustedWithoutPushback_Stop() => TestTimeouts.RunSync(() =>
        Assert.Equal(RetryPolicy.Verdict.Stop, RetryPolicy.Classify(Error(StatusCode.ResourceExhausted), safeToRepeat: true, out _)), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Classify_ResourceExhaustedWithPushback_PushbackDelay() => TestTimeouts.RunSync(() =>
    {
        var verdict = RetryPolicy.Classify(Error(StatusCode.ResourceExhausted, pushback: "250"), safeToRepeat: true, out var delay);

        Assert.Equal(RetryPolicy.Verdict.Pushback, verdict);
        Assert.Equal(TimeSpan.FromMilliseconds(250), delay);
    }, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("-1")]
    [InlineData("soon")]
    public Task Classify_NegativeOrMalformedPushback_Stop(string pushback) => TestTimeouts.RunSync(() =>
    {
        Assert.Equal(RetryPolicy.Verdict.Stop, RetryPolicy.Classify(Error(StatusCode.Unavailable, pushback: pushback), safeToRepeat: true, out _));
        Assert.Equal(RetryPolicy.Verdict.Stop, RetryPolicy.Classify(Error(StatusCode.ResourceExhausted, pushback: pushback), safeToRepeat: true, out _));
    }, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(StatusCode.NotFound)]
    [InlineData(StatusCode.InvalidArgument)]
    [InlineData(StatusCode.FailedPrecondition)]
    [InlineData(StatusCode.AlreadyExists)]
    [InlineData(StatusCode.Aborted)]
    [InlineData(StatusCode.PermissionDenied)]
    [InlineData(StatusCode.Unauthenticated)]
    [InlineData(StatusCode.Cancelled)]
    [InlineData(StatusCode.DeadlineExceeded)]
    [InlineData(StatusCode.Internal)]
    [InlineData(StatusCode.Unknown)]
    public Task Classify_OtherCodes_Stop(StatusCode code) => TestTimeouts.RunSync(() =>
        Assert.Equal(RetryPolicy.Verdict.Stop, RetryPolicy.Classify(Error(code, pushback: "10"), safeToRepeat: true, out _)), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Classify_CircuitOpen_Stop() => TestTimeouts.RunSync(() =>
        Assert.Equal(RetryPolicy.Verdict.Stop, RetryPolicy.Classify(Error(StatusCode.Unavailable, new BrokenCircuitException()), safeToRepeat: true, out _)), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Backoff_GrowsExponentiallyUpToTheCap() => TestTimeouts.RunSync(() =>
    {
        var options = new GrpcMeshRetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(100), BackoffMultiplier = 2, MaxBackoff = TimeSpan.FromMilliseconds(500), JitterFactor = 0 };

        Assert.Equal([100, 200, 400, 500, 500], Enumerable.Range(0, 5).Select(i => RetryPolicy.Backoff(options, i, 0.7).TotalMilliseconds));
    }, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(0.0, 400)]
    [InlineData(0.5, 300)]
    [InlineData(0.999, 200.2)]
    public Task Backoff_Jitter_StaysWithinTheJitterShareBelowTheBackoff(double random, double expectedMs) => TestTimeouts.RunSync(() =>
    {
        var options = new GrpcMeshRetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(100), BackoffMultiplier = 2, MaxBackoff = TimeSpan.FromSeconds(1), JitterFactor = 0.5 };

        Assert.Equal(expectedMs, RetryPolicy.Backoff(options, 2, random).TotalMilliseconds, precision: 1);
    }, TestContext.Current.CancellationToken);
}
