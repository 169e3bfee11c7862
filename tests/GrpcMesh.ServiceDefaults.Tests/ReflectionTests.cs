using Google.Protobuf.Reflection;
using Grpc.Core;
using GrpcMesh.ServiceDefaults.Tests.Support;
using GrpcMesh.Testing;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace GrpcMesh.ServiceDefaults.Tests;

public sealed class ReflectionTests
{
    private static readonly string[] ExpectedServices =
    [
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
        "grpcmesh.user.v1.UserService",
    ];

    private static readonly Dictionary<string, string?> Enabled = new() { ["Reflection:Enabled"] = "true" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListServices_V1_ListsMappedServicesHealthAndReflection()
    {
        await using var host = await Hosts.StartUsersAsync(Enabled);

        var services = await ListV1Async(host);

        Assert.Equal(ExpectedServices, services.Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListServices_V1Alpha_ListsMappedServicesHealthAndReflection()
    {
        await using var host = await Hosts.StartUsersAsync(Enabled);
        var client = new V1Alpha.ServerReflection.ServerReflectionClient(host.Channel);
        using var call = client.ServerReflectionInfo(cancellationToken: Ct);

        await call.RequestStream.WriteAsync(new V1Alpha.ServerReflectionRequest { ListServices = "" }, Ct);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(Ct));

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name);
        Assert.Equal(ExpectedServices, services.Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task FileContainingSymbol_V1_ReturnsUserServiceDescriptorWithItsMethods()
    {
        await using var host = await Hosts.StartUsersAsync(Enabled);
        var client = new V1.ServerReflection.ServerReflectionClient(host.Channel);
        using var call = client.ServerReflectionInfo(cancellationToken: Ct);

        await call.RequestStream.WriteAsync(new V1.ServerReflectionRequest { FileContainingSymbol = "grpcmesh.user.v1.UserService" }, Ct);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(Ct));

        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto
            .Select(bytes => FileDescriptorProto.Parser.ParseFrom(bytes))
            .ToList();
        var userFile = Assert.Single(files, f => f.Name == "grpcmesh/user/v1/user_service.proto");
        var service = Assert.Single(userFile.Service);
        Assert.Contains("CreateUser", service.Method.Select(m => m.Name));
        Assert.Contains("GetUser", service.Method.Select(m => m.Name));
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("Development", null, true)]
    [InlineData("Production", null, false)]
    [InlineData("Testing", null, false)]
    [InlineData("Production", "true", true)]
    [InlineData("Development", "false", false)]
    public async Task ReflectionEnabled_ByEnvironmentAndConfig_ServedOnlyWhenEnabled(string environment, string? configured, bool served)
    {
        await using var host = await Hosts.StartUsersAsync(
            new Dictionary<string, string?> { ["Reflection:Enabled"] = configured }, environment: environment);

        if (served)
        {
            Assert.Contains("grpcmesh.user.v1.UserService", await ListV1Async(host));
        }
        else
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => ListV1Async(host));
            Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
        }
    }

    private static async Task<List<string>> ListV1Async(TestServiceHost host)
    {
        var client = new V1.ServerReflection.ServerReflectionClient(host.Channel);
        using var call = client.ServerReflectionInfo(cancellationToken: Ct);
        try
        {
            await call.RequestStream.WriteAsync(new V1.ServerReflectionRequest { ListServices = "" }, Ct);
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server may end the call (e.g. UNIMPLEMENTED) before the request is written; the response stream has the status.
        }

        Assert.True(await call.ResponseStream.MoveNext(Ct));
        return call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
    }
}
