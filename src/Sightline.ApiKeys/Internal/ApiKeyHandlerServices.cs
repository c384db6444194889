using Microsoft.Extensions.Logging;

namespace Sightline.ApiKeys.Internal;

/// <summary>
/// What <see cref="ApiKeyAuthenticationHandler"/> needs, in one singleton. The framework creates a handler per request
/// and scheme (it is transient); one dependency instead of six keeps that construction cheap, and
/// <see cref="LoggerFactory"/> hands the handler its logger without <see cref="Microsoft.Extensions.Logging.LoggerFactory"/>'s
/// global lock and dictionary lookup, which <c>AuthenticationHandler</c>'s constructor would otherwise take on every request.
/// </summary>
internal sealed class ApiKeyHandlerServices(
    ApiKeyValidator validator,
    ApiKeyRefusals refusals,
    ApiKeyMetrics metrics,
    LastUsedTracker lastUsed,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory)
{
    public ApiKeyValidator Validator { get; } = validator;
    public ApiKeyRefusals Refusals { get; } = refusals;
    public ApiKeyMetrics Metrics { get; } = metrics;
    public LastUsedTracker LastUsed { get; } = lastUsed;
    public TimeProvider TimeProvider { get; } = timeProvider;
    public ILoggerFactory LoggerFactory { get; } = new CachingLoggerFactory(loggerFactory);

    /// <summary>Creates each category's logger once (the handler asks for the same category on every request).</summary>
    private sealed class CachingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
    {
        private volatile Tuple<string, ILogger>? _last;

        public ILogger CreateLogger(string categoryName)
        {
            var last = _last;
            if (last is not null && string.Equals(last.Item1, categoryName, StringComparison.Ordinal)) return last.Item2;
            var logger = inner.CreateLogger(categoryName);
            _last = Tuple.Create(categoryName, logger);
            return logger;
        }

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose()
        {
            // The application's logger factory is owned by the container.
        }
    }
}
