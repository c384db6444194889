using Microsoft.Extensions.Logging;
using Sightline.AspNetCore.Capture;

namespace Sightline.AspNetCore.Errors;

/// <summary>
/// Attaches exceptions logged through <see cref="ILogger"/> while a request is being served to that
/// request's record (<c>source: "logged"</c>), once per exception object. Sightline's own categories are ignored.
/// It depends on nothing but the request scope (<see cref="RequestScope"/>), so logging never waits on (or fails with) Sightline's options.
/// </summary>
internal sealed class LoggedErrorProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName)
        => categoryName.StartsWith("Sightline.AspNetCore", StringComparison.Ordinal)
            ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance
            : LoggedErrorLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class LoggedErrorLogger : ILogger
    {
        public static readonly LoggedErrorLogger Instance = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is null || logLevel < LogLevel.Error) return;
            try
            {
                var feature = RequestScope.Current;
                if (feature is { Sampled: true, CaptureLoggedErrors: true } && feature.MarkSeen(exception))
                    feature.AddError(ErrorConverter.Convert(exception, handled: true, source: "logged"));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // logging must never fail because of Sightline
            }
        }
    }
}
