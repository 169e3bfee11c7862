using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Hosting;

/// <summary>
/// Kestrel connection middleware enforcing <see cref="ConnectionAgeOptions"/>: at the connection's (jittered) age it
/// asks Kestrel to close the connection gracefully — for HTTP/2 that is a GOAWAY, after which the streams in flight
/// finish and the connection closes — and after the grace period it aborts what is left.
/// </summary>
internal sealed partial class ConnectionAgeLimit(IOptions<ConnectionAgeOptions> options, TimeProvider time, ILogger<ConnectionAgeLimit> logger)
{
    private const double Jitter = 0.1;

    public void Apply(ListenOptions listen)
    {
        if (options.Value.MaxAge is not null)
        {
            listen.Use(next => connection => RunAsync(connection, next));
        }
    }

    private async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var settings = options.Value;
        var maxAge = settings.MaxAge!.Value * (1 - Jitter + (2 * Jitter * Random.Shared.NextDouble()));
        using var lifetime = new AgedConnection(connection, settings.MaxAgeGrace, time, logger);
        lifetime.Start(maxAge);
        await next(connection).ConfigureAwait(false);
    }

    private sealed class AgedConnection(ConnectionContext connection, TimeSpan? grace, TimeProvider time, ILogger logger) : IDisposable
    {
        private readonly Lock _lock = new();
        private ITimer? _age;
        private ITimer? _grace;
        private bool _disposed;

        public void Start(TimeSpan maxAge)
        {
            var timer = time.CreateTimer(static state => ((AgedConnection)state!).OnMaxAge(), this, maxAge, Timeout.InfiniteTimeSpan);
            lock (_lock)
            {
                _age = timer;
                if (!_disposed)
                {
                    return;
                }
            }

            timer.Dispose();
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _disposed = true;
            }

            _age?.Dispose();
            _grace?.Dispose();
        }

        private void OnMaxAge()
        {
            LogMaxAge(logger, connection.ConnectionId);
            connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.RequestClose();
            if (grace is not { } period)
            {
                return;
            }

            lock (_lock)
            {
                if (!_disposed)
                {
                    _grace = time.CreateTimer(static state => ((AgedConnection)state!).OnGraceElapsed(), this, period, Timeout.InfiniteTimeSpan);
                }
            }
        }

        private void OnGraceElapsed()
        {
            LogGraceElapsed(logger, connection.ConnectionId, grace!.Value.TotalSeconds);
            connection.Abort(new ConnectionAbortedException("the connection's maximum age and grace period have passed (Connections:MaxAge, Connections:MaxAgeGrace)"));
        }
    }

    [LoggerMessage(EventId = 1500, Level = LogLevel.Debug, Message = "Connection {ConnectionId} reached Connections:MaxAge; GOAWAY sent, calls in flight may finish")]
    private static partial void LogMaxAge(ILogger logger, string connectionId);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Information, Message = "Connection {ConnectionId} still had calls in flight {GraceSeconds} s after its GOAWAY (Connections:MaxAgeGrace); closed under them")]
    private static partial void LogGraceElapsed(ILogger logger, string connectionId, double graceSeconds);
}
