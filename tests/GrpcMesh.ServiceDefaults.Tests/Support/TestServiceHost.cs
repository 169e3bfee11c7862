using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.ServiceDefaults.Tests.Support;

/// <summary>
/// A service built the way the GrpcMesh services build themselves (AddServiceDefaults/MapDefaultEndpoints) plus
/// whatever gRPC services the test maps; on real Kestrel at 127.0.0.1 with a free port, or on TestServer.
/// </summary>
internal sealed class TestServiceHost : IAsyncDisposable
{
    public const string ApplicationName = "GrpcMesh.ServiceDefaults.Tests";

    private readonly HttpMessageHandler? _handler;
    private GrpcChannel? _channel;

    private TestServiceHost(WebApplication app, Uri address, HttpMessageHandler? handler)
    {
        App = app;
        Address = address;
        _handler = handler;
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    public Uri Address { get; }

    /// <summary>A channel shared by the test; use <see cref="CreateChannel"/> for one with its own connection.</summary>
    public GrpcChannel Channel => _channel ??= CreateChannel();

    public static async Task<TestServiceHost> StartAsync(
        Action<WebApplication> map,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null,
        string environment = "Testing",
        bool inMemoryServer = false)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = ApplicationName,
            EnvironmentName = environment,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            // Auth is tested on its own (AuthTests); the other tests call the fake services without tokens.
            ["Auth:Enabled"] = "false",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        if (inMemoryServer)
        {
            builder.WebHost.UseTestServer();
        }
        else
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }

        builder.AddServiceDefaults();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        map(app);
        await app.StartAsync(TestContext.Current.CancellationToken);

        return inMemoryServer
            ? new TestServiceHost(app, new Uri("http://localhost"), ((TestServer)app.Services.GetRequiredService<IServer>()).CreateHandler())
            : new TestServiceHost(app, new Uri(app.Urls.First()), handler: null);
    }

    public GrpcChannel CreateChannel() =>
        GrpcChannel.ForAddress(Address, new GrpcChannelOptions { HttpHandler = _handler, DisposeHttpClient = _handler is null });

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        await App.DisposeAsync();
    }
}
