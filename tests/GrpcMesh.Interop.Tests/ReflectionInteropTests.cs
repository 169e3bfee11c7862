using System.Text.Json;
using GrpcMesh.Interop.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;

namespace GrpcMesh.Interop.Tests;

/// <summary>Server reflection from Python grpcio, used the way grpcurl uses it: no GrpcMesh .proto files on the client.</summary>
public sealed class ReflectionInteropTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);
    private static readonly Dictionary<string, string> ReflectionOn = new() { ["Reflection:Enabled"] = "true" };

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("v1")]
    [InlineData("v1alpha")]
    public async Task List_ReflectionEnabled_ListsHealthAndBothReflectionVersions(string api)
    {
        await using var service = await ServiceProcess.StartAsync(ServiceProcess.UserService, ReflectionOn);

        var result = await ReflectAsync(service, "--api", api, "list");

        var services = result.GetProperty("services").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.Contains("grpc.reflection.v1.ServerReflection", services);
        Assert.Contains("grpc.reflection.v1alpha.ServerReflection", services);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task List_ReflectionDisabled_Unimplemented()
    {
        await using var service = await ServiceProcess.StartAsync(ServiceProcess.UserService, new Dictionary<string, string> { ["Reflection:Enabled"] = "false" });

        var result = await ReflectAsync(service, "list");

        Assert.Equal("UNIMPLEMENTED", result.GetProperty("error").GetString());
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Call_HealthCheckBuiltFromReflectedDescriptors_Serving()
    {
        await using var service = await ServiceProcess.StartAsync(ServiceProcess.OrderService, ReflectionOn);

        var described = await ReflectAsync(service, "describe", "grpc.health.v1.Health");
        var result = await ReflectAsync(service, "call", "grpc.health.v1.Health/Check", """{"service": ""}""");

        Assert.Equal("grpc.health.v1.HealthCheckRequest", described.GetProperty("methods").GetProperty("Check").GetProperty("input").GetString());
        Assert.Equal("SERVING", result.GetProperty("response").GetProperty("status").GetString());
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Call_CreateUserThenGetUserFromReflectedDescriptors_RoundTrips()
    {
        await using var service = await ServiceProcess.StartAsync(ServiceProcess.UserService, ReflectionOn);
        var email = $"ada-{Guid.NewGuid():N}@example.com";

        var described = await ReflectAsync(service, "describe", "grpcmesh.user.v1.UserService");
        var created = await ReflectAsync(service, "call", "grpcmesh.user.v1.UserService/CreateUser",
            JsonSerializer.Serialize(new { email, displayName = "Ada", creditLimit = new { currencyCode = "EUR", units = "100" } }));
        var user = created.GetProperty("response").GetProperty("user");
        var id = user.GetProperty("id").GetString();
        var fetched = await ReflectAsync(service, "--api", "v1alpha", "call", "grpcmesh.user.v1.UserService/GetUser", JsonSerializer.Serialize(new { userId = id }));

        Assert.Equal("grpcmesh/user/v1/user_service.proto", described.GetProperty("file").GetString());
        Assert.False(string.IsNullOrEmpty(id));
        Assert.Equal(email, user.GetProperty("email").GetString());
        Assert.Equal(id, fetched.GetProperty("response").GetProperty("user").GetProperty("id").GetString());
        Assert.Equal(email, fetched.GetProperty("response").GetProperty("user").GetProperty("email").GetString());
        Assert.Equal("Ada", fetched.GetProperty("response").GetProperty("user").GetProperty("displayName").GetString());
    }

    private static async Task<JsonElement> ReflectAsync(ServiceProcess service, params string[] arguments) =>
        Assert.Single(await Python.RunAsync("grpc_reflect.py", ScriptTimeout, [service.Target, .. arguments]));
}
