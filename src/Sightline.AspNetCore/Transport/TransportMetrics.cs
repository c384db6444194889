using System.Diagnostics.Metrics;

namespace Sightline.AspNetCore.Transport;

/// <summary>The SDK's own counters, on the <c>Sightline.AspNetCore</c> meter.</summary>
internal sealed class TransportMetrics : IDisposable
{
    public const string MeterName = "Sightline.AspNetCore";
    private readonly Meter _meter = new(MeterName);

    public TransportMetrics()
    {
        Queued = _meter.CreateCounter<long>("sightline.sdk.items.queued", "{item}", "Items accepted into the send queue.");
        Sent = _meter.CreateCounter<long>("sightline.sdk.items.sent", "{item}", "Items the server acknowledged.");
        Dropped = _meter.CreateCounter<long>("sightline.sdk.items.dropped", "{item}", "Items dropped (queue full, rejected, spool bounds).");
        Retried = _meter.CreateCounter<long>("sightline.sdk.batches.retried", "{batch}", "Batch sends retried after a network error, 429 or 5xx.");
        Spooled = _meter.CreateCounter<long>("sightline.sdk.batches.spooled", "{batch}", "Batches written to the disk spool.");
        SpoolDropped = _meter.CreateCounter<long>("sightline.sdk.batches.spool_dropped", "{batch}", "Spooled batches dropped (size, age or attempt bounds).");
    }

    /// <summary>This instance's meter: every <see cref="TransportMetrics"/> (one per host) has its own, so a listener can tell hosts apart.</summary>
    internal Meter Meter => _meter;

    public Counter<long> Queued { get; }
    public Counter<long> Sent { get; }
    public Counter<long> Dropped { get; }
    public Counter<long> Retried { get; }
    public Counter<long> Spooled { get; }
    public Counter<long> SpoolDropped { get; }

    public void Dispose() => _meter.Dispose();
}
