using Grpc.Net.Client;
using GrpcMesh.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.Reliability.Tests.Support;

/// <summary>A host built like the services (AddServiceDefaults/MapDefaultEndpoints) around a test gRPC service, in memory.</summary>
internal sealed class DefaultsHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpMessageHandler _handler;

    private DefaultsHost(WebApplication app)
    {
        _app = app;
        _handler = ((TestServer)app.Services.GetRequiredService<IServer>()).CreateHandler();
        Channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = _handler });
    }

    public IServiceProvider Services => _app.Services;

    public GrpcChannel Channel { get; }

    public static async Task<DefaultsHost> StartAsync<TService>(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
        where TService : class
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(DefaultsHost).Assembly.GetName().Name,
            EnvironmentName = "Testing",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(HostSettings.For(null, ("Auth:Enabled", "false")));
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseTestServer();
        builder.AddServiceDefaults();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGrpcService<TService>();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new DefaultsHost(app);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.DisposeAsync();
    }
}
