using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Sightline.ApiKeys.Internal;

/// <summary>Writes last-used times to the store every <see cref="ApiKeyOptions.LastUsedFlushInterval"/> and once more on shutdown.</summary>
internal sealed class LastUsedFlusher(
    LastUsedTracker tracker,
    IApiKeyStore store,
    IOptions<ApiKeyOptions> options,
    TimeProvider timeProvider,
    ILogger<LastUsedFlusher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.LastUsedFlushInterval;
        if (interval <= TimeSpan.Zero) interval = TimeSpan.FromSeconds(10);
        using var timer = new PeriodicTimer(interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false)) await FlushAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var batch = tracker.Drain();
        if (batch.Count == 0) return;
        try
        {
            await store.UpdateLastUsedAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            tracker.Restore(batch);
            ApiKeyLog.LastUsedWriteFailed(logger, e, batch.Count);
        }
    }
}
