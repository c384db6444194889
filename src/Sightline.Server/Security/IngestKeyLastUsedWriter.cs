namespace Sightline.Server.Security;

/// <summary>Writes ingest keys' last-used times every 10 seconds and once more on shutdown (never on the ingest path).</summary>
internal sealed partial class IngestKeyLastUsedWriter(IngestKeyService keys, TimeProvider time, ILogger<IngestKeyLastUsedWriter> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await FlushAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await keys.FlushLastUsedAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            LastUsedWriteFailed(logger, e);
        }
    }

    [LoggerMessage(EventId = 8060, Level = LogLevel.Warning, Message = "Writing ingest keys' last-used times failed; they are written at the next tick")]
    private static partial void LastUsedWriteFailed(ILogger logger, Exception exception);
}
