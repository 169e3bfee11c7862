using System.Text.Json;
using GrpcMesh.Interop.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;

namespace GrpcMesh.Interop.Tests;

/// <summary>
/// The JSON API (gRPC JSON transcoding on the HTTP edge, <c>Http:Port</c>) from Python's standard library over HTTP/1.1,
/// against the real UserService process with auth and a rate limit on: the resource-style routes, and every error class
/// as the HTTP status gRPC transcoding maps its code to, with the google.rpc.Status (code, message, details) as the body.
/// </summary>
public sealed class JsonApiInteropTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task JsonApi_PythonUrllibUserLifecycle_CreatesGetsListsUpdatesAndDeletes()
    {
        var tokens = new TestTokens();
        await using var service = await StartAsync(tokens);
        var token = tokens.Create("py-json", "users.read", "users.write");
        var email = $"json-{Guid.NewGuid():N}@example.com";

        var created = Assert.Single(await CallAsync(service, new
        {
            method = "POST", path = "/v1/users", token,
            body = JsonSerializer.Serialize(new { email, displayName = "Jay", creditLimit = new { currencyCode = "USD", units = "500" } }),
        }));
        Assert.Equal(200, created.GetProperty("status").GetInt32());
        Assert.StartsWith("application/json", created.GetProperty("content_type").GetString(), StringComparison.Ordinal);
        var user = created.GetProperty("body").GetProperty("user");
        var id = user.GetProperty("id").GetString()!;
        Assert.Equal("USER_STATUS_ACTIVE", user.GetProperty("status").GetString());
        Assert.Equal("500", user.GetProperty("creditLimit").GetProperty("units").GetString());

        var results = await CallAsync(service,
            new { method = "GET", path = $"/v1/users/{id}", token },
            new { method = "GET", path = "/v1/users?pageSize=10", token },
            new
            {
                method = "PATCH", path = $"/v1/users/{id}", token,
                body = JsonSerializer.Serialize(new { user = new { displayName = "Jay B.", etag = user.GetProperty("etag").GetString() }, updateMask = "displayName" }),
            },
            new { method = "POST", path = $"/v1/users/{id}/reservations", token, body = """{"reservationId":"res_json_1","amount":{"currencyCode":"USD","units":"25"}}""" },
            new { method = "POST", path = "/v1/reservations/res_json_1:release", token, body = "{}" },
            new { method = "DELETE", path = $"/v1/users/{id}", token });

        Assert.All(results, r => Assert.Equal(200, r.GetProperty("status").GetInt32()));
        Assert.Equal(email, results[0].GetProperty("body").GetProperty("user").GetProperty("email").GetString());
        Assert.Contains(results[1].GetProperty("body").GetProperty("users").EnumerateArray(), u => u.GetProperty("id").GetString() == id);
        Assert.Equal("Jay B.", results[2].GetProperty("body").GetProperty("user").GetProperty("displayName").GetString());
        Assert.Equal("475", results[3].GetProperty("body").GetProperty("availableCredit").GetProperty("units").GetString());
        Assert.Equal("RESERVATION_STATUS_RELEASED", results[4].GetProperty("body").GetProperty("reservation").GetProperty("status").GetString());
        Assert.Equal("USER_STATUS_DELETED", results[5].GetProperty("body").GetProperty("user").GetProperty("status").GetString());
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task JsonApi_PythonUrllibErrors_EachCodeAsItsHttpStatusWithTheStatusBody()
    {
        var tokens = new TestTokens();
        await using var service = await StartAsync(tokens, tightRateLimit: true);
        var writer = tokens.Create("py-json", "users.read", "users.write");
        var reader = tokens.Create("py-reader", "users.read");
        var flooder = tokens.Create("py-flooder", "users.read");
        var email = $"dup-{Guid.NewGuid():N}@example.com";
        var user = JsonSerializer.Serialize(new { email, displayName = "Dup", creditLimit = new { currencyCode = "USD", units = "5" } });

        var results = await CallAsync(service,
            new { method = "POST", path = "/v1/users", token = writer, body = """{"email":"not-an-email","displayName":"X","creditLimit":{"currencyCode":"USD","units":"5"}}""" },
            new { method = "POST", path = "/v1/users", token = writer, body = """{"email": "a@example.com", """ },
            new { method = "GET", path = "/v1/users/usr_x", token = (string?)null },
            new { method = "POST", path = "/v1/users", token = (string?)reader, body = user },
            new { method = "GET", path = "/v1/users/usr_missing", token = (string?)reader },
            new { method = "POST", path = "/v1/users", token = (string?)writer, body = user },
            new { method = "POST", path = "/v1/users", token = (string?)writer, body = user });
        var flood = await CallAsync(service, new { method = "GET", path = "/v1/users/usr_x", token = flooder, repeat = 12 });

        var invalid = Error(results[0], 400, "INVALID_ARGUMENT");
        var violation = Assert.Single(Detail(invalid, "google.rpc.BadRequest").GetProperty("fieldViolations").EnumerateArray());
        Assert.Equal("email", violation.GetProperty("field").GetString());
        Assert.Contains("JSON", Error(results[1], 400, "INVALID_ARGUMENT").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("missing bearer token", Error(results[2], 401, "UNAUTHENTICATED").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("MISSING_SCOPE", Detail(Error(results[3], 403, "PERMISSION_DENIED"), "google.rpc.ErrorInfo").GetProperty("reason").GetString());
        Assert.Equal("usr_missing", Detail(Error(results[4], 404, "NOT_FOUND"), "google.rpc.ResourceInfo").GetProperty("resourceName").GetString());
        Assert.Equal(200, results[5].GetProperty("status").GetInt32());
        Error(results[6], 409, "ALREADY_EXISTS");
        // Burst 5 per caller at 0.01 permits/s: the sixth call and later are refused, whatever the machine's speed.
        var refused = flood.Where(r => r.GetProperty("status").GetInt32() == 429).ToList();
        Assert.Equal(7, refused.Count);
        Assert.Equal("RATE_LIMITED", Detail(Error(refused[0], 429, "RESOURCE_EXHAUSTED"), "google.rpc.ErrorInfo").GetProperty("reason").GetString());
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task JsonApi_PythonUrllibGrpcTimeout_TheDeadlineReachesTheCall()
    {
        var tokens = new TestTokens();
        await using var service = await StartAsync(tokens);
        var token = tokens.Create("py-json", "users.read");

        var results = await CallAsync(service,
            // 1 ms is below Limits:MinRemainingDeadline (5 ms), if not already past on arrival: refused before any work, which
            // only a call that knows its deadline can be.
            new { method = "GET", path = "/v1/users/usr_x", token, headers = new Dictionary<string, string> { ["grpc-timeout"] = "1m" } },
            new { method = "GET", path = "/v1/users/usr_x", token, headers = new Dictionary<string, string> { ["grpc-timeout"] = "soon" } },
            new { method = "GET", path = "/v1/users/usr_x", token, headers = new Dictionary<string, string> { ["grpc-timeout"] = "30S" } });

        Assert.Contains("not started", Error(results[0], 504, "DEADLINE_EXCEEDED").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("grpc-timeout 'soon'", Error(results[1], 400, "INVALID_ARGUMENT").GetProperty("message").GetString(), StringComparison.Ordinal);
        Error(results[2], 404, "NOT_FOUND");
    }

    private static Task<ServiceProcess> StartAsync(TestTokens tokens, bool tightRateLimit = false)
    {
        var settings = new Dictionary<string, string> { ["Auth:Enabled"] = "true", ["Auth:SigningKey"] = tokens.SigningKey };
        if (tightRateLimit)
        {
            settings["Limits:PermitsPerSecond"] = "0.01";
            settings["Limits:Burst"] = "5";
        }

        return ServiceProcess.StartAsync(ServiceProcess.UserService, settings);
    }

    private static async Task<IReadOnlyList<JsonElement>> CallAsync(ServiceProcess service, params object[] requests) =>
        await Python.RunAsync("json_api.py", ScriptTimeout, service.HttpUrl.ToString(), JsonSerializer.Serialize(requests));

    private static readonly Dictionary<string, int> Codes = new()
    {
        ["INVALID_ARGUMENT"] = 3, ["DEADLINE_EXCEEDED"] = 4, ["NOT_FOUND"] = 5, ["ALREADY_EXISTS"] = 6, ["PERMISSION_DENIED"] = 7,
        ["RESOURCE_EXHAUSTED"] = 8, ["UNAUTHENTICATED"] = 16,
    };

    /// <summary>Asserts the HTTP status and the google.rpc.Status body's code; returns the body.</summary>
    private static JsonElement Error(JsonElement result, int httpStatus, string code)
    {
        Assert.True(httpStatus == result.GetProperty("status").GetInt32(), $"expected HTTP {httpStatus} ({code}), got {result}");
        Assert.StartsWith("application/json", result.GetProperty("content_type").GetString(), StringComparison.Ordinal);
        var body = result.GetProperty("body");
        Assert.Equal(Codes[code], body.GetProperty("code").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()));
        return body;
    }

    private static JsonElement Detail(JsonElement status, string type) =>
        Assert.Single(status.GetProperty("details").EnumerateArray(),
            d => d.GetProperty("@type").GetString() == "type.googleapis.com/" + type);
}
