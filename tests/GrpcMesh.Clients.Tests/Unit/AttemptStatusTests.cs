using System.Net;
using GrpcMesh.Clients.Balancing;
using GrpcMesh.Clients.Statuses;
using GrpcMesh.Testing;

namespace GrpcMesh.Clients.Tests.Unit;

public sealed class AttemptStatusTests
{
    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("100m", 100 * TimeSpan.TicksPerMillisecond)]
    [InlineData("5S", 5 * TimeSpan.TicksPerSecond)]
    [InlineData("2M", 2 * TimeSpan.TicksPerMinute)]
    [InlineData("1H", TimeSpan.TicksPerHour)]
    [InlineData("999999u", 999_999 * TimeSpan.TicksPerMicrosecond)]
    [InlineData("12345600n", 123_456)]
    public Task TryParseGrpcTimeout_ValidValue_Parsed(string value, long ticks) => TestTimeouts.RunSync(() =>
    {
        Assert.True(GrpcTimeoutHeader.TryParse(value, out var timeout));
        Assert.Equal(TimeSpan.FromTicks(ticks), timeout);
    }, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("10x")]
    [InlineData("-1m")]
    [InlineData("123456789m")]
    public Task TryParseGrpcTimeout_InvalidValue_Refused(string? value) => TestTimeouts.RunSync(() =>
        Assert.False(GrpcTimeoutHeader.TryParse(value, out _)), TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(HttpStatusCode.ServiceUnavailable, null, StatusKind.Unavailable)]
    [InlineData(HttpStatusCode.BadGateway, null, StatusKind.Unavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout, null, StatusKind.Unavailable)]
    [InlineData(HttpStatusCode.OK, "14", StatusKind.Unavailable)]
    [InlineData(HttpStatusCode.OK, "4", StatusKind.Timeout)]
    [InlineData(HttpStatusCode.OK, "5", StatusKind.Refusal)]
    [InlineData(HttpStatusCode.OK, "13", StatusKind.ServerError)]
    [InlineData(HttpStatusCode.OK, null, StatusKind.Success)]
    public Task Of_Response_KindOfItsStatus(HttpStatusCode http, string? grpcStatus, StatusKind expected) => TestTimeouts.RunSync(() =>
    {
        using var response = new HttpResponseMessage(http);
        if (grpcStatus is not null)
        {
            response.Headers.Add("grpc-status", grpcStatus);
        }

        Assert.Equal(expected, AttemptStatus.Of(response));
    }, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("200m", 200, StatusKind.Timeout)]
    [InlineData("200m", 180, StatusKind.Timeout)]
    [InlineData("200m", 20, StatusKind.Cancelled)]
    [InlineData(null, 5000, StatusKind.Cancelled)]
    public Task OfCancelled_ElapsedAgainstGrpcTimeout_TimeoutOnlyOnceTheDeadlinePassed(string? grpcTimeout, int elapsedMs, StatusKind expected) => TestTimeouts.RunSync(() =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:1/svc/M");
        if (grpcTimeout is not null)
        {
            request.Headers.Add("grpc-timeout", grpcTimeout);
        }

        Assert.Equal(expected, AttemptStatus.OfCancelled(request, TimeSpan.FromMilliseconds(elapsedMs)));
    }, TestContext.Current.CancellationToken);
}
