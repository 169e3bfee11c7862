using System.Text.Json;
using GrpcMesh.Interop.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;

namespace GrpcMesh.Interop.Tests;

/// <summary>Bearer-token auth seen by a Python grpcio client against the real UserService process (Production environment).</summary>
public sealed class AuthInteropTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_PythonClientWithoutToken_UnauthenticatedWithMessage()
    {
        var tokens = new TestTokens();
        await using var service = await StartWithAuthAsync(tokens);

        var result = await ReflectAsync(service, "call", "grpcmesh.user.v1.UserService/GetUser", """{"userId": "usr_x"}""");

        Assert.Equal("UNAUTHENTICATED", result.GetProperty("error").GetString());
        Assert.Contains("missing bearer token", result.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_PythonClientWithScopedToken_Created()
    {
        var tokens = new TestTokens();
        await using var service = await StartWithAuthAsync(tokens);
        var token = tokens.Create("python-client", "users.write");

        var result = await ReflectAsync(service, "--metadata", "authorization=Bearer " + token, "call", "grpcmesh.user.v1.UserService/CreateUser",
            JsonSerializer.Serialize(new { email = $"py-{Guid.NewGuid():N}@example.com", displayName = "Py", creditLimit = new { currencyCode = "EUR", units = "10" } }));

        Assert.False(string.IsNullOrEmpty(result.GetProperty("response").GetProperty("user").GetProperty("id").GetString()));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Start_ProductionWithoutSigningKey_ExitsNamingTheSetting()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var service = await ServiceProcess.StartAsync(ServiceProcess.UserService, new Dictionary<string, string> { ["Auth:Enabled"] = "true" });
        });

        Assert.Contains("Auth:SigningKey", failure.Message, StringComparison.Ordinal);
    }

    private static Task<ServiceProcess> StartWithAuthAsync(TestTokens tokens) =>
        ServiceProcess.StartAsync(ServiceProcess.UserService, new Dictionary<string, string>
        {
            ["Auth:Enabled"] = "true",
            ["Auth:SigningKey"] = tokens.SigningKey,
            ["Reflection:Enabled"] = "true",
        });

    private static async Task<JsonElement> ReflectAsync(ServiceProcess service, params string[] arguments) =>
        Assert.Single(await Python.RunAsync("grpc_reflect.py", ScriptTimeout, [service.Target, .. arguments]));
}
