using GrpcMesh.Interop.Tests.Support;
using GrpcMesh.ServiceDefaults.Edge;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;

namespace GrpcMesh.Interop.Tests;

/// <summary>
/// The OpenAPI document each running service serves on its HTTP edge is the one committed under docs/openapi/. After a
/// contract change, refresh the committed copies with <c>GRPCMESH_UPDATE_OPENAPI=1</c> set while running this test.
/// </summary>
public sealed class OpenApiDocumentTests
{
    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(ServiceProcess.UserService, "userservice.json")]
    [InlineData(ServiceProcess.OrderService, "orderservice.json")]
    public async Task OpenApi_ServedByTheRunningService_EqualsTheCommittedDocument(string project, string file)
    {
        await using var service = await ServiceProcess.StartAsync(project);
        using var http = new HttpClient { BaseAddress = service.HttpUrl };
        var committedPath = Path.Combine(Repo.Root, "docs", "openapi", file);

        var served = await http.GetStringAsync(HttpEdge.OpenApiPath, TestContext.Current.CancellationToken);

        if (Environment.GetEnvironmentVariable("GRPCMESH_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(committedPath, served, TestContext.Current.CancellationToken);
        }

        Assert.True(File.Exists(committedPath), $"{committedPath} is missing; run this test with GRPCMESH_UPDATE_OPENAPI=1 to write it");
        Assert.True(served == await File.ReadAllTextAsync(committedPath, TestContext.Current.CancellationToken),
            $"the served OpenAPI document differs from docs/openapi/{file}; after a contract change rerun this test with GRPCMESH_UPDATE_OPENAPI=1 and commit the result");
        Assert.Contains("\"/v1/", served, StringComparison.Ordinal);
    }
}
