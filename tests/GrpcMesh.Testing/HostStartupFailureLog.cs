using Microsoft.Extensions.Logging;

namespace GrpcMesh.Testing;

/// <summary>
/// Records the exception the generic host logs when it fails to start ("Hosting failed to start"). The host logs it
/// before it disposes itself, so it is there even when <see cref="GrpcTestHost{TMarker}"/> only gets to see the
/// disposed host.
/// </summary>
/// <remarks>
/// Registered through a factory, so the host's container creates it (before almost every other service, as the logger
/// factory needs it) and disposes it (after almost every other service): <see cref="ProviderDisposed"/> tells when the
/// application has disposed its service provider.
/// </remarks>
internal sealed class HostStartupFailureLog : ILoggerProvider
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    private readonly TaskCompletionSource _providerDisposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? _failure;

    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Completes when the host's service provider disposes this provider.</summary>
    public Task ProviderDisposed => _providerDisposed.Task;

    public ILogger CreateLogger(string categoryName) => categoryName == HostCategory ? new Recorder(this) : NullLogger.Instance;

    public void Dispose() => _providerDisposed.TrySetResult();

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
