using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.OrderService.Tests.Fakes;

/// <summary>An in-memory (TestServer) host of <see cref="FakeUserGrpcService"/>.</summary>
public sealed class FakeUserServiceHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeUserServiceHost(WebApplication app, FakeUserBackend backend)
    {
        _app = app;
        Backend = backend;
    }

    public FakeUserBackend Backend { get; }

    public Uri Address => _app.GetTestServer().BaseAddress;

    public static async Task<FakeUserServiceHost> StartAsync()
    {
        var backend = new FakeUserBackend();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(backend);
        var app = builder.Build();
        app.MapGrpcService<FakeUserGrpcService>();
        await app.StartAsync();
        return new FakeUserServiceHost(app, backend);
    }

    public HttpMessageHandler CreateHandler() => _app.GetTestServer().CreateHandler();

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
