using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LightMesh.Testing;

/// <summary>Keeps the log lines of in-process components, for tests of what they log and so a failed assertion can show what they did.</summary>
public sealed class LogLines : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public override string ToString() => string.Join("\n", _lines.TakeLast(60));

    public void Dispose()
    {
    }

    private sealed class Logger(LogLines lines, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        // Our own components at Debug; Grpc.Net.Client's subchannel chatter only from Information up.
        public bool IsEnabled(LogLevel logLevel) => logLevel >= (category.StartsWith("LightMesh", StringComparison.Ordinal) ? LogLevel.Debug : LogLevel.Information);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lines._lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
            }
        }
    }
}
