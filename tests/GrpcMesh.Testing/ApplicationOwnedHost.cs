using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GrpcMesh.Testing;

/// <summary>
/// The host as <see cref="GrpcTestHost{TMarker}"/>'s factory sees it, with one owner for stopping and disposing: the
/// application itself.
/// </summary>
/// <remarks>
/// <para>Under WebApplicationFactory the service's entry point runs in the test process and its <c>app.Run()</c> is not
/// stopped: it waits for ApplicationStopping, stops the host and disposes it. The factory's own dispose stops and disposes
/// the same host, so two owners used to run StopAsync at once while one of them disposed the service provider, and on a
/// loaded machine the other (the test's dispose, or a test that stops the host) now and then met
/// <see cref="ObjectDisposedException"/> for IServiceProvider.</para>
/// <para>Here the factory's stop and dispose only ask the application to stop (what SIGTERM does) and wait until the
/// application has disposed its service provider; they never stop or dispose the host themselves.</para>
/// </remarks>
internal sealed class ApplicationOwnedHost : IHost, IAsyncDisposable
{
    /// <summary>Beyond the host's own shutdown budget (Shutdown:DrainDelay + Shutdown:Timeout, 30 s in tests).</summary>
    private static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(90);

    private readonly IHost _host;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly Task _providerDisposed;

    public ApplicationOwnedHost(IHost host, Task providerDisposed)
    {
        _host = host;
        _lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        _providerDisposed = providerDisposed;
    }

    public IServiceProvider Services => _host.Services;

    public Task StartAsync(CancellationToken cancellationToken = default) => _host.StartAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        _lifetime.StopApplication();
        try
        {
            await _providerDisposed.WaitAsync(StopPatience, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"the application did not stop and dispose its host within {StopPatience.TotalSeconds} s of StopApplication", ex);
        }
    }

    public void Dispose() => StopAsync().GetAwaiter().GetResult();

    public ValueTask DisposeAsync() => new(StopAsync());
}
