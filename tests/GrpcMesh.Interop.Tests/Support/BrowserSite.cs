using GrpcMesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Interop.Tests.Support;

/// <summary>
/// The browser test's page (tests/browser/page), built for this run by tests/browser/build.mjs — the TypeScript client
/// generated from protos/ with buf + protoc-gen-es, bundled with esbuild — and served as static files on a loopback port
/// of its own, so the page's calls to the services are cross-origin and CORS is really exercised.
/// </summary>
internal sealed class BrowserSite : IAsyncDisposable
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromSeconds(120);

    private readonly TempDirectory _directory;
    private readonly WebApplication _app;

    private BrowserSite(TempDirectory directory, WebApplication app, Uri url)
    {
        _directory = directory;
        _app = app;
        Url = url;
    }

    /// <summary>http://127.0.0.1:port/</summary>
    public Uri Url { get; }

    /// <summary>The page's origin, as the browser sends it (no trailing slash).</summary>
    public string Origin => Url.GetLeftPart(UriPartial.Authority);

    public static async Task<BrowserSite> StartAsync()
    {
        var directory = new TempDirectory("grpcmesh-browser");
        try
        {
            // google/rpc/error_details.proto (BadRequest) as the services compile it: Google.Api.CommonProtos' copy.
            await NodeScript.RunAsync("build.mjs", BuildTimeout, directory.Path, Path.Combine(AppContext.BaseDirectory, "browser-protos"));
            var site = Path.Combine(directory.Path, "site");

            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(site) });
            await app.StartAsync(TestContext.Current.CancellationToken);
            var address = app.Urls.Single();
            return new BrowserSite(directory, app, new Uri(address + "/"));
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _directory.Dispose();
    }
}
