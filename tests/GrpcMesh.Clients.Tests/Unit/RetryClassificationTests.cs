using System.Net.Sockets;
using Grpc.Core;
using GrpcMesh.Clients.Statuses;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Resilience;
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

    [Fact]
    public void Classify_UnavailableSafeToRepeat_Backoff() =>
        Assert.Equal(RetryPolicy.Verdict.Backoff, RetryPolicy.Classify(Error(StatusCode.Unavailable), safeToRepeat: true, out _));

    [Fact]
    public void Classify_UnavailableNotSafeAfterReachingServer_Stop() =>
        Assert.Equal(RetryPolicy.Verdict.Stop, RetryPolicy.Classify(Error(StatusCode.Unavailable), safeToRepeat: false, out _));

    [Fact]
    public void Classify_UnavailableNotSafeButConnectionRefused_Backoff() =>
        Assert.Equal(RetryPolicy.Verdict.Backoff, RetryPolicy.Classify(Error(StatusCode.Unavailable, ConnectionRefused()), safeToRepeat: false, out _));

    [Fact]
    public void Classify_InternalMadeUpFromBrokenConnectionSafeToRepeat_BackoffLikeUnavailable() =>
        Assert.Equal(RetryPolicy.Verdict.Backoff, RetryPolicy.Classify(
            Error(StatusCode.Internal, new HttpRequestException(HttpRequestError.InvalidResponse, "The server did not complete the HTTP/2 handshake", new IOException("reset"))),
            safeToRepeat: true, out _));

    [Fact]
    public void Classify_InternalMadeUpFromBrokenConnectionNotSafe_Stop() =>
        Assert.Equal(RetryPolicy.Verdict.Stop, RetryPolicy.Classify(
            Error(StatusCode.Internal, new IOException("The request was aborted.")), safeToRepeat: false, out _));

    [Fact]
    public void KindOf_InternalSentByServer_ServerError() =>
        Assert.Equal(StatusKind.ServerError, StatusTaxonomy.KindOf(Error(StatusCode.Internal)));

    [Fact]
    public void KindOf_UnavailableWithTransportCause_Unavailable() =>
        Assert.Equal(StatusKind.Unavailable, StatusTaxonomy.KindOf(Error(StatusCode.Unavailable, ConnectionRefused())));

    [Fact]
    public void Classify_UnavailableAfterResponseStarted_NotNeverSent() =>
        Assert.False(StatusTaxonomy.NeverSent(Error(StatusCode.Unavailable, new HttpRequestException(HttpRequestError.ResponseEnded, "ended"))));

    [Fact]
    public void Classify_ResourceExhaustedWithoutPushback_Stop() =>
        Assert.Equal(RetryPolicy.Verdict.Stop, RetryPolicy.Classify(Error(StatusCode.ResourceExhausted), safeToRepeat: true, out _));

    [Fact]
    public void Classify_ResourceExhaustedWithPushback_PushbackDelay()
    {
        var verdict = RetryPolicy.Classify(Error(StatusCode.ResourceExhausted, pushback: "250"), safeToRepeat: true, out var delay);

        Assert.Equal(RetryPolicy.Verdict.Pushback, verdict);
        Assert.Equal(TimeSpan.FromMilliseconds(250), delay);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("soon")]
    public void Classify_NegativeOrMalformedPushback_Stop(string pushback)
    {
        Assert.Equal(RetryPolicy.Verdict.Stop, RetryPolicy.Classify(Error(StatusCode.Unavailable, pushback: pushback), safeToRepeat: true, out _));
        Assert.Equal(RetryPolicy.Verdict.Stop, RetryPolicy.Classify(Error(StatusCode.ResourceExhausted, pushback: pushback), safeToRepeat: true, out _));
    }

    [Theory]
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
    public void Classify_OtherCodes_Stop(StatusCode code) =>
        Assert.Equal(RetryPolicy.Verdict.Stop, RetryPolicy.Classify(Error(code, pushback: "10"), safeToRepeat: true, out _));

    [Fact]
    public void Classify_CircuitOpen_Stop() =>
        Assert.Equal(RetryPolicy.Verdict.Stop, RetryPolicy.Classify(Error(StatusCode.Unavailable, new BrokenCircuitException()), safeToRepeat: true, out _));

    [Fact]
    public void Backoff_GrowsExponentiallyUpToTheCap()
    {
        var options = new GrpcMeshRetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(100), BackoffMultiplier = 2, MaxBackoff = TimeSpan.FromMilliseconds(500), JitterFactor = 0 };

        Assert.Equal([100, 200, 400, 500, 500], Enumerable.Range(0, 5).Select(i => RetryPolicy.Backoff(options, i, 0.7).TotalMilliseconds));
    }

    [Theory]
    [InlineData(0.0, 400)]
    [InlineData(0.5, 300)]
    [InlineData(0.999, 200.2)]
    public void Backoff_Jitter_StaysWithinTheJitterShareBelowTheBackoff(double random, double expectedMs)
    {
        var options = new GrpcMeshRetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(100), BackoffMultiplier = 2, MaxBackoff = TimeSpan.FromSeconds(1), JitterFactor = 0.5 };

        Assert.Equal(expectedMs, RetryPolicy.Backoff(options, 2, random).TotalMilliseconds, precision: 1);
    }
}
