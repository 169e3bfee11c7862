using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Clients.Tests.Fakes;

/// <summary>A logger provider that records the category of every log entry written at any level.</summary>
public sealed class LogCategoryRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _categories = new();

    public IReadOnlyList<string> Categories => [.. _categories];

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, _categories);

    public void Dispose()
    {
    }

    private sealed class Recorder(string category, ConcurrentQueue<string> categories) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            categories.Enqueue(category);
    }
}
