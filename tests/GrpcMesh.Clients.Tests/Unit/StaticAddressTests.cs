using GrpcMesh.Clients.Balancing;
using GrpcMesh.Testing;

namespace GrpcMesh.Clients.Tests.Unit;

public sealed class StaticAddressTests
{
    [Fact(Timeout = TestTimeouts.Default)]
    public Task TryParse_TwoEndpoints_ReturnsBothInOrder() => TestTimeouts.RunSync(() =>
    {
        Assert.True(StaticAddress.TryParse(new Uri("static:///127.0.0.1:6001,127.0.0.1:6002"), out var endpoints, out var error), error);

        Assert.Equal(["127.0.0.1:6001", "127.0.0.1:6002"], endpoints.Select(e => $"{e.EndPoint.Host}:{e.EndPoint.Port}"));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task TryParse_HostNamesIpv6AndSpaces_Accepted() => TestTimeouts.RunSync(() =>
    {
        Assert.True(StaticAddress.TryParse(new Uri("static:///user-a.svc:5001, [::1]:5002 ,10.0.0.7:5003"), out var endpoints, out var error), error);

        Assert.Equal([("user-a.svc", 5001), ("::1", 5002), ("10.0.0.7", 5003)], endpoints.Select(e => (e.EndPoint.Host, e.EndPoint.Port)));
    }, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("static:///127.0.0.1", "has no port")]
    [InlineData("static:///127.0.0.1:0", "no valid port (1-65535)")]
    [InlineData("static:///127.0.0.1:70000", "no valid port (1-65535)")]
    [InlineData("static:///127.0.0.1:http", "no valid port (1-65535)")]
    [InlineData("static:///127.0.0.1:6001,,127.0.0.1:6002", "an endpoint is empty")]
    [InlineData("static:///127.0.0.1:6001,", "an endpoint is empty")]
    [InlineData("static:///", "lists no endpoint")]
    [InlineData("static://127.0.0.1:6001", "three slashes")]
    [InlineData("static:///127.0.0.1:6001,127.0.0.1:6001", "listed twice")]
    [InlineData("static:///::1:6001", "IPv6 addresses in brackets")]
    [InlineData("static:///[::1:6001", "must be [ipv6]:port")]
    [InlineData("static:///bad host:6001", "no valid host name")]
    public Task TryParse_BadAddress_FailsSayingWhatIsWrong(string address, string expected) => TestTimeouts.RunSync(() =>
    {
        Assert.False(StaticAddress.TryParse(new Uri(address), out var endpoints, out var error));

        Assert.Empty(endpoints);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.StartsWith($"'{address}'", error, StringComparison.Ordinal);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Parse_BadAddress_ThrowsFormatException() => TestTimeouts.RunSync(() =>
    {
        var error = Assert.Throws<FormatException>(() => StaticAddress.Parse(new Uri("static:///127.0.0.1")));

        Assert.Contains("has no port", error.Message, StringComparison.Ordinal);
    }, TestContext.Current.CancellationToken);
}
