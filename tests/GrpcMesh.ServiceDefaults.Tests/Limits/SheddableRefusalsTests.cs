using System.Net;
using Google.Rpc;
using Grpc.Core;
using GrpcMesh.Clients;
using GrpcMesh.ServiceDefaults.Errors;
using GrpcMesh.ServiceDefaults.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.Extensions.DependencyInjection;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.ServiceDefaults.Tests.Limits;

/// <summary>Sheddable calls refused in front of grpc-dotnet on the service's own port, over real Kestrel.</summary>
public sealed class SheddableRefusalsTests
{
    private const string GetUserPath = "/grpcmesh.user.v1.UserService/GetUser";

    private static readonly Dictionary<string, string?> OneSlot = new()
    {
        ["Limits:AdaptiveConcurrency"] = "false",
        ["Limits:MaxConcurrentCalls"] = "1",
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task SheddableCall_GateFull_RefusedAsTrailersOnlyResponseWithDetailsAndPushback()
    {
        await using var users = await Hosts.StartUsersAsync(OneSlot);
        var held = users.Services.GetRequiredService<Support.CallGate>();
        var running = new UserServiceClient(users.Channel).GetUserAsync(new GetUserRequest { UserId = "slow" }, cancellationToken: Ct).ResponseAsync;
        try
        {
            await held.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            using var http = new HttpClient();
            using var request = GetUserRequestMessage(users.Address, "sheddable");
            request.Headers.Add(Criticality.Header, Criticality.Sheddable);

            using var response = await http.SendAsync(request, Ct);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("8", Header(response, "grpc-status"));
            Assert.Equal("250", Header(response, GrpcMeshMetadata.RetryPushback));
            Assert.Contains("sheddable calls (grpcmesh-criticality: sheddable) get at most 1 of 1 slots", Uri.UnescapeDataString(Header(response, "grpc-message")), StringComparison.Ordinal);
            var status = Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(Header(response, "grpc-status-details-bin")));
            Assert.Equal("SHEDDABLE_REFUSED", status.Details.Single(d => d.Is(ErrorInfo.Descriptor)).Unpack<ErrorInfo>().Reason);
            Assert.Equal(TimeSpan.FromMilliseconds(250), status.Details.Single(d => d.Is(RetryInfo.Descriptor)).Unpack<RetryInfo>().RetryDelay.ToTimeSpan());
            Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
            Assert.Empty(response.TrailingHeaders);
        }
        finally
        {
            held.Open();
        }

        Assert.Equal("slow", (await running).User.Id);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ManyRefusals_OnOneConnection_EachARefusalAndTheConnectionStillServes()
    {
        await using var users = await Hosts.StartUsersAsync(OneSlot);
        var held = users.Services.GetRequiredService<Support.CallGate>();
        var client = new UserServiceClient(users.Channel);
        var running = client.GetUserAsync(new GetUserRequest { UserId = "slow" }, cancellationToken: Ct).ResponseAsync;
        var statuses = new List<StatusCode>();
        try
        {
            await held.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            // In parallel, as a loaded client sends them, on the connection the held call is on.
            var refusals = Enumerable.Range(0, 500).Select(i => RpcAssert.ThrowsAsync(StatusCode.ResourceExhausted,
                () => client.GetUserAsync(new GetUserRequest { UserId = $"u{i}" }, Criticality.SheddableHeaders(), cancellationToken: Ct)));
            statuses.AddRange((await Task.WhenAll(refusals)).Select(e => e.StatusCode));
        }
        finally
        {
            held.Open();
        }

        Assert.Equal(500, statuses.Count(s => s == StatusCode.ResourceExhausted));
        Assert.Equal("slow", (await running).User.Id);
        Assert.Equal("after", (await client.GetUserAsync(new GetUserRequest { UserId = "after" }, Criticality.SheddableHeaders(), cancellationToken: Ct)).User.Id);
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("server busy: 3 calls running", "server busy: 3 calls running")]
    [InlineData("100% busy", "100%25 busy")]
    [InlineData("waited 2 ms × 3\nagain", "waited 2 ms %C3%97 3%0Aagain")]
    public void PercentEncode_EncodesWhatTheGrpcSpecRequires(string message, string encoded)
    {
        Assert.Equal(encoded, Refusal.PercentEncode(message));
        Assert.Equal(message, Uri.UnescapeDataString(encoded));
    }

    private static HttpRequestMessage GetUserRequestMessage(Uri address, string userId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, GetUserPath))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(GrpcFrames.Frame(new GetUserRequest { UserId = userId })),
        };
        request.Content.Headers.ContentType = new("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        return request;
    }

    private static string Header(HttpResponseMessage response, string name) => Assert.Single(response.Headers.GetValues(name));
}
