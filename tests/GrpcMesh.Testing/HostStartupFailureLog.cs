using Microsoft.Extensions.Logging;

namespace GrpcMesh.Testing;

/// <summary>
/// Records the exception the generic host logs when it fails to start ("Hosting failed to start"). The host logs it
/// before it disposes itself, so it is there even when <see cref="GrpcTestHost{TMarker}"/> only gets to see the
/// disposed host.
/// </summary>
internal sealed class HostStartupFailureLog : ILoggerProvider
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    private Exception? _failure;

    public Exception? Failure => Volatile.Read(ref _failure);

    public ILogger CreateLogger(string categoryName) => categoryName == HostCategory ? new Recorder(this) : NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Recorder(HostStartupFailureLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error && exception is not null)
            {
                Interlocked.CompareExchange(ref log._failure, exception, null);
            }
        }
    }

    private sealed class NullLogger : ILogger
    {
        public static readonly NullLogger Instance = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}
