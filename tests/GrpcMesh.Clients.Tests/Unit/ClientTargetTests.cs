using GrpcMesh.Clients.Target;
using GrpcMesh.Testing;

namespace GrpcMesh.Clients.Tests.Unit;

public sealed class ClientTargetTests
{
    [Fact(Timeout = TestTimeouts.Default)]
    public Task Parse_HttpAddress_DirectNotBalancedKeyWithoutTrailingSlash() => TestTimeouts.RunSync(() =>
    {
        var target = ClientTarget.Parse(new Uri("http://127.0.0.1:5001/"), useTls: false);

        Assert.Equal(TargetKind.Direct, target.Kind);
        Assert.False(target.IsBalanced);
        Assert.False(target.UseTls);
        Assert.Equal("http://127.0.0.1:5001", target.Key);
        Assert.Empty(target.StaticEndpoints);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Parse_HttpsAddress_UsesTls() => TestTimeouts.RunSync(() => Assert.True(ClientTarget.Parse(new Uri("https://users.example:443"), useTls: false).UseTls), TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("dns:///users.svc.cluster.local:5001", "users.svc.cluster.local")]
    [InlineData("dns:///users:5001", "users")]
    [InlineData("dns:///users", "users")]
    [InlineData("dns:///[::1]", "[::1]")]
    public Task Parse_DnsAddress_BalancedWithTheResolvedNameAsTlsHost(string address, string tlsHost) => TestTimeouts.RunSync(() =>
    {
        var target = ClientTarget.Parse(new Uri(address), useTls: true);

        Assert.Equal(TargetKind.Dns, target.Kind);
        Assert.True(target.IsBalanced);
        Assert.True(target.UseTls);
        Assert.Equal(tlsHost, target.TlsHost);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Parse_StaticTwoEndpoints_ReturnsBothInOrder() => TestTimeouts.RunSync(() =>
    {
        var target = ClientTarget.Parse(new Uri("static:///127.0.0.1:6001,127.0.0.1:6002"), useTls: false);

        Assert.Equal(TargetKind.Static, target.Kind);
        Assert.Null(target.TlsHost);
        Assert.Equal(["127.0.0.1:6001", "127.0.0.1:6002"], target.StaticEndpoints.Select(e => $"{e.EndPoint.Host}:{e.EndPoint.Port}"));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Parse_StaticHostNamesIpv6AndSpaces_Accepted() => TestTimeouts.RunSync(() =>
    {
        var target = ClientTarget.Parse(new Uri("static:///user-a.svc:5001, [::1]:5002 ,10.0.0.7:5003"), useTls: false);

        Assert.Equal([("user-a.svc", 5001), ("::1", 5002), ("10.0.0.7", 5003)], target.StaticEndpoints.Select(e => (e.EndPoint.Host, e.EndPoint.Port)));
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
    [InlineData("dns:///", "must be of the form dns:///host:port")]
    [InlineData("dns://8.8.8.8/users.local:5001", "must be of the form dns:///host:port")]
    [InlineData("consul:///users", "must be an absolute http://, https://, dns:///host:port or static:///host1:port1,host2:port2 URI")]
    public Task TryParse_BadAddress_FailsNamingTheAddressAndWhatIsWrong(string address, string expected) => TestTimeouts.RunSync(() =>
    {
        Assert.False(ClientTarget.TryParse(new Uri(address), useTls: false, out var target, out var error));

        Assert.Null(target);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.StartsWith($"Address '{address}'", error, StringComparison.Ordinal);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task TryParse_UseTlsWithHttpAddress_FailsNamingUseTls() => TestTimeouts.RunSync(() =>
    {
        Assert.False(ClientTarget.TryParse(new Uri("http://127.0.0.1:5001"), useTls: true, out _, out var error));

        Assert.StartsWith("UseTls applies to dns:/// and static:/// addresses", error, StringComparison.Ordinal);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Parse_BadAddress_ThrowsFormatExceptionWithTheValidationMessage() => TestTimeouts.RunSync(() =>
    {
        var error = Assert.Throws<FormatException>(() => ClientTarget.Parse(new Uri("static:///127.0.0.1"), useTls: false));

        Assert.Contains("has no port", error.Message, StringComparison.Ordinal);
    }, TestContext.Current.CancellationToken);
}
