using Google.Rpc;
using Grpc.Core;
using GrpcMesh.ServiceDefaults.Validation;
using GrpcMesh.Testing;

namespace GrpcMesh.ServiceDefaults.Tests;

public sealed class RequestValidatorTests
{
    [Fact(Timeout = TestTimeouts.Default)]
    public Task ThrowIfInvalid_SeveralBadFields_OneViolationPerField() => TestTimeouts.RunSync(() =>
    {
        var validator = new RequestValidator()
            .Email("not-an-email", "email")
            .Text("", "display_name", 100)
            .Key("has space", "request_id", required: false)
            .PageSize(5000, "page_size", 1000);

        var ex = Assert.Throws<RpcException>(validator.ThrowIfInvalid);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var badRequest = ex.GetRpcStatus()!.GetDetail<BadRequest>();
        Assert.Equal(["email", "display_name", "request_id", "page_size"], badRequest.FieldViolations.Select(v => v.Field));
        Assert.Contains("4 invalid fields", ex.Status.Detail, StringComparison.Ordinal);
    }, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("a@b.co", true)]
    [InlineData("first.last+tag@example.com", true)]
    [InlineData("no-at-sign", false)]
    [InlineData("two@@example.com", false)]
    [InlineData("space in@example.com", false)]
    [InlineData("", false)]
    public Task Email_Formats_AcceptsOnlyAddresses(string email, bool valid) => TestTimeouts.RunSync(() =>
        Assert.Equal(valid, new RequestValidator().Email(email, "email").IsValid), TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("ok_key-1", true)]
    [InlineData("", true)]
    [InlineData("bad key", false)]
    [InlineData("ü", false)]
    public Task Key_OptionalKey_ValidatesCharset(string key, bool valid) => TestTimeouts.RunSync(() =>
        Assert.Equal(valid, new RequestValidator().Key(key, "request_id", required: false).IsValid), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Key_TooLong_Invalid() => TestTimeouts.RunSync(() =>
        Assert.False(new RequestValidator().Key(new string('a', 65), "request_id").IsValid), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Text_ControlCharactersOrTooLong_Invalid() => TestTimeouts.RunSync(() =>
    {
        Assert.False(new RequestValidator().Text("a\u0000b", "display_name", 10).IsValid);
        Assert.False(new RequestValidator().Text(new string('x', 11), "display_name", 10).IsValid);
        Assert.True(new RequestValidator().Text("Ada", "display_name", 10).IsValid);
    }, TestContext.Current.CancellationToken);
}
