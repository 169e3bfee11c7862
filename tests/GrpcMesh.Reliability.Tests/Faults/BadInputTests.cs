using System.Net;
using Google.Protobuf.WellKnownTypes;
using GrpcMesh.Reliability.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using GrpcMesh.UserService;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.Reliability.Tests.Faults;

/// <summary>Bad inputs at the real Kestrel port: a precise refusal each time, and the server keeps serving.</summary>
public sealed class BadInputTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly GrpcTestHost<UserServiceMarker> _host = new(HostSettings.For(null));
    private readonly Uri _address;
    private readonly UserServiceClient _users;

    public BadInputTests()
    {
        _address = _host.StartOnLoopback();
        _users = new UserServiceClient(_host.Channel);
    }

    public void Dispose() => _host.Dispose();

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_MalformedProtobufBytes_InvalidArgumentAndServerKeepsServing()
    {
        using var response = await PostAsync("/grpcmesh.user.v1.UserService/GetUser", "application/grpc", GrpcFrames.Frame([0x0a, 0x05, (byte)'a']));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("3", Assert.Single(response.Headers.GetValues("grpc-status")));
        var message = Uri.UnescapeDataString(Assert.Single(response.Headers.GetValues("grpc-message")));
        Assert.Contains("not valid protobuf", message, StringComparison.Ordinal);
        await AssertServingAsync();
        Figures.Report("bad input / malformed protobuf", $"INVALID_ARGUMENT (\"{message}\"); server kept serving");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_UnknownEnumValue_InvalidArgumentNamingTheField()
    {
        var user = (await _users.CreateUserAsync(Users.NewUser(), cancellationToken: Ct)).User;
        var request = new UpdateUserRequest
        {
            User = new User.V1.User { Id = user.Id, Status = (UserStatus)99 },
            UpdateMask = new FieldMask { Paths = { "status" } },
        };

        var badRequest = await RpcAssert.InvalidArgumentAsync(() => _users.UpdateUserAsync(request, cancellationToken: Ct), "user.status");

        Assert.Equal(UserStatus.Active, (await _users.GetUserAsync(new GetUserRequest { UserId = user.Id }, cancellationToken: Ct)).User.Status);
        Figures.Report("bad input / unknown enum value", $"INVALID_ARGUMENT, BadRequest user.status: \"{badRequest.FieldViolations[0].Description}\"; user unchanged");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_WrongContentType_UnsupportedMediaTypeAndServerKeepsServing()
    {
        using var response = await PostAsync("/grpcmesh.user.v1.UserService/GetUser", "application/json", "{\"userId\":\"x\"}"u8.ToArray());

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await AssertServingAsync();
        Figures.Report("bad input / wrong content-type", "application/json to a gRPC method → HTTP 415 (not a gRPC call); server kept serving");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_Http11ToGrpcPort_RefusedAndServerKeepsServing()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_address, "/grpcmesh.user.v1.UserService/GetUser"))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(GrpcFrames.Frame(new GetUserRequest { UserId = "x" })),
        };
        request.Content.Headers.ContentType = new("application/grpc");

        using var response = await http.SendAsync(request, Ct);

        // The port speaks HTTP/2 only (h2c): Kestrel answers an HTTP/1.1 request with 400 and closes the connection.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpVersion.Version11, response.Version);
        await AssertServingAsync();
        Figures.Report("bad input / HTTP/1.1 to the gRPC port", "HTTP 400 and the connection closed; server kept serving");
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string contentType, byte[] body)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new(contentType);
        return await http.SendAsync(request, Ct);
    }

    private async Task AssertServingAsync()
    {
        var created = (await _users.CreateUserAsync(Users.NewUser(), cancellationToken: Ct)).User;
        Assert.Equal(created.Id, (await _users.GetUserAsync(new GetUserRequest { UserId = created.Id }, cancellationToken: Ct)).User.Id);
    }
}
