using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Grpc.Core;
using GrpcMesh.LoadTest.Hosting;
using GrpcMesh.LoadTest.Load;

namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>
/// The same real UserService as <see cref="UserServiceScenario"/>, called through its HTTP edge's JSON API
/// (<c>GET /v1/users/{id}</c>, gRPC JSON transcoding over HTTP/1.1) instead of gRPC: divided by <c>userservice</c>, the
/// table shows what JSON costs against gRPC for the same call through the same interceptor. Run only when named.
/// </summary>
internal sealed class JsonUserServiceScenario()
    : Scenario("userservice-json", "UserService GetUser as JSON (GET /v1/users/{id}, HTTP/1.1 edge), full production stack")
{
    public override string? Baseline => UserServiceScenario.FullStack;

    public override bool InDefaultRun => false;

    public override IEnumerable<string> DotnetProjects => [UserServiceProcess.Project];

    public override async Task<RunningScenario> StartAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var edge = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var users = await UserServiceProcess.StartAsync(context, Name, context.Options.Users, cancellationToken,
            arguments: ["--Http:Address", "127.0.0.1", "--Http:Port", edge.Port.ToString(CultureInfo.InvariantCulture)]);
        return new RunningScenario(users.Address, GetUser(edge, users.UserIds, context.Auth.Token), [users.Server], $"JSON API at {edge}", users);
    }

    /// <summary>
    /// One HttpClient per load connection (it opens as many HTTP/1.1 connections as calls in flight); a call reads the
    /// whole body. A non-2xx answer is thrown as the RpcException of its google.rpc.Status body, so the status tally counts it.
    /// </summary>
    private static CallFactory GetUser(Uri edge, IReadOnlyList<string> userIds, string token)
    {
        var paths = userIds.Select(id => $"/v1/users/{Uri.EscapeDataString(id)}").ToArray();
        return _ =>
        {
#pragma warning disable CA2000 // lives as long as the run's calls; the process ends with it
            var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = edge };
#pragma warning restore CA2000
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return async (sequence, cancellationToken) =>
            {
                using var response = await http.GetAsync(paths[sequence % paths.Length], HttpCompletionOption.ResponseContentRead, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    throw await StatusOf(response, cancellationToken);
                }
            };
        };
    }

    private static async Task<RpcException> StatusOf(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var status = JsonDocument.Parse(body);
            return new RpcException(new Status((StatusCode)status.RootElement.GetProperty("code").GetInt32(),
                status.RootElement.GetProperty("message").GetString() ?? ""));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return new RpcException(new Status(StatusCode.Unknown, $"HTTP {(int)response.StatusCode} without a google.rpc.Status body: {body}"));
        }
    }
}
