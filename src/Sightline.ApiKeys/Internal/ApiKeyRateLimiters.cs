using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace Sightline.ApiKeys.Internal;

/// <summary>One fixed-window limiter per key that has a rate limit, shared by all schemes on this instance.</summary>
internal sealed class ApiKeyRateLimiters : IDisposable
{
    private readonly ConcurrentDictionary<string, Slot> _limiters = new(StringComparer.Ordinal);

    /// <summary>Takes one permit for <paramref name="key"/>; the caller disposes the lease.</summary>
    public RateLimitLease Acquire(ValidatedKey key, ApiKeyRateLimit limit)
    {
        var id = key.Record.Id;
        if (!_limiters.TryGetValue(id, out var slot) || slot.Limit != limit)
        {
            var fresh = new Slot(limit, new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit.PermitLimit,
                Window = limit.Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
            if (slot is null ? _limiters.TryAdd(id, fresh) : _limiters.TryUpdate(id, fresh, slot))
            {
                slot?.Limiter.Dispose();
                slot = fresh;
            }
            else
            {
                fresh.Limiter.Dispose();
                slot = _limiters[id];
            }
        }
        return slot.Limiter.AttemptAcquire();
    }

    public void Dispose()
    {
        foreach (var slot in _limiters.Values) slot.Limiter.Dispose();
        _limiters.Clear();
    }

    private sealed record Slot(ApiKeyRateLimit Limit, RateLimiter Limiter);
}
