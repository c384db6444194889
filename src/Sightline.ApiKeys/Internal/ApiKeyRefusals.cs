using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sightline.Protocol.Wire;

namespace Sightline.ApiKeys.Internal;

/// <summary>
/// Reports a refused request: counted always, logged with a sampling guard (at most
/// <see cref="LogsPerSecond"/> entries per second, then one summary of how many were skipped, so a key-guessing
/// flood cannot flood the logs), and handed to Sightline monitoring as a security event.
/// </summary>
internal sealed class ApiKeyRefusals(ApiKeyMetrics metrics, ILogger<ApiKeyRefusals> logger, TimeProvider timeProvider)
{
    public const int LogsPerSecond = 20;

    private readonly Lock _gate = new();
    private long _windowStart;
    private int _loggedInWindow;
    private long _suppressed;

    public void Report(HttpContext context, string reason, string? keyId, string? prefix)
    {
        metrics.Refused(reason);
        var now = timeProvider.GetUtcNow();
        var keyPrefix = keyId is null ? null : prefix + "_" + keyId;
        var clientIp = context.Connection.RemoteIpAddress?.ToString();
        var path = context.Request.Path.Value ?? "/";
        if (ShouldLog(now.UtcTicks, out var suppressed))
        {
            if (suppressed > 0) ApiKeyLog.RefusalsSuppressed(logger, suppressed, LogsPerSecond);
            ApiKeyLog.Refused(logger, reason, keyPrefix, clientIp, context.Request.Method, path);
        }
        var existing = context.Features.Get<ISightlineRequestHints>();
        context.Features.Set<ISightlineRequestHints>(new ApiKeyRequestHints(existing?.Consumer, new SecurityEvent
        {
            Id = Guid.NewGuid(),
            Timestamp = now,
            Kind = "apikey.refused",
            Reason = reason,
            KeyId = keyId,
            KeyPrefix = keyPrefix,
            ClientIp = clientIp,
            Method = context.Request.Method,
            Path = path.Length > 2048 ? path[..2048] : path,
        }));
    }

    private bool ShouldLog(long nowTicks, out long suppressedBefore)
    {
        lock (_gate)
        {
            suppressedBefore = 0;
            if (nowTicks - _windowStart >= TimeSpan.TicksPerSecond)
            {
                _windowStart = nowTicks;
                _loggedInWindow = 0;
                suppressedBefore = _suppressed;
                _suppressed = 0;
            }
            if (_loggedInWindow < LogsPerSecond)
            {
                _loggedInWindow++;
                return true;
            }
            _suppressed++;
            return false;
        }
    }
}
