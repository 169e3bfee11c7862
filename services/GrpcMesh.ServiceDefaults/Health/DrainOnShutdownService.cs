using Grpc.AspNetCore.HealthChecks;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Health;

/// <summary>
/// Drains on shutdown: flips readiness to NOT_SERVING (Check and Watch), then keeps the server running for
/// <see cref="ShutdownOptions.DrainDelay"/> before the host stops Kestrel.
/// </summary>
/// <remarks>
/// This runs in <see cref="IHostedLifecycleService.StoppingAsync"/>, which the host awaits for every service before
/// calling any <see cref="IHostedService.StopAsync"/>, Kestrel's included. A delay in StopAsync would run after
/// Kestrel had already stopped listening. On SIGTERM, ApplicationStopping fires before this runs and grpc-dotnet ends
/// open Watch calls with NOT_SERVING; when the host is stopped directly it fires after, so the statuses are also set
/// here for Watch streams that are still open. A zero delay skips the wait (tests that stop hosts at will configure
/// <c>Shutdown:DrainDelay=0</c>); the health flip still happens.
/// </remarks>
internal sealed partial class DrainOnShutdownService(
    DrainState drain,
    HealthServiceImpl healthService,
    IOptions<GrpcHealthChecksOptions> healthOptions,
    IOptions<ShutdownOptions> shutdownOptions,
    TimeProvider timeProvider,
    ILogger<DrainOnShutdownService> logger) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        drain.BeginDrain();
        foreach (var name in GrpcServiceHealthMappings.ReadinessNames(healthOptions.Value))
        {
            healthService.SetStatus(name, HealthCheckResponse.Types.ServingStatus.NotServing);
        }

        var delay = shutdownOptions.Value.DrainDelay;
        if (delay <= TimeSpan.Zero)
        {
            LogDrainSkipped(logger);
            return;
        }

        LogDraining(logger, delay);
        try
        {
            await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
            LogDrained(logger);
        }
        catch (OperationCanceledException)
        {
            LogDrainCut(logger);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Shutdown: health reports NOT_SERVING; still serving calls for {DrainDelay} before closing listeners")]
    private static partial void LogDraining(ILogger logger, TimeSpan drainDelay);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Shutdown: drain delay over; closing listeners and waiting for in-flight calls")]
    private static partial void LogDrained(ILogger logger);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Shutdown: drain delay cut short by the host's shutdown timeout")]
    private static partial void LogDrainCut(ILogger logger);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Debug, Message = "Shutdown: health reports NOT_SERVING; no drain delay (Shutdown:DrainDelay is zero)")]
    private static partial void LogDrainSkipped(ILogger logger);
}
