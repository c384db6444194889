using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Sightline.Samples.Orders;

/// <summary>
/// For the load benchmark's report (bench/load.sh, VERBOSE=1): the SDK's own counters of what became of
/// the records (sent, dropped, spooled), so a mode that looks cheap because it lost records shows it.
/// The per-item <c>sightline.sdk.items.queued</c> is left out: listening to it would add work to every request.
/// </summary>
public sealed class SdkCounters : IDisposable
{
    private const string SentName = "sightline.sdk.items.sent";
    private const string DroppedName = "sightline.sdk.items.dropped";
    private const string SpooledName = "sightline.sdk.batches.spooled";
    private const string SpoolDroppedName = "sightline.sdk.batches.spool_dropped";

    private readonly ConcurrentDictionary<string, long> _totals = new();
    private readonly MeterListener _listener = new();

    public SdkCounters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Sightline.AspNetCore" && instrument.Name is SentName or DroppedName or SpooledName or SpoolDroppedName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value));
        _listener.Start();
    }

    /// <summary>Items the server acknowledged, since start-up.</summary>
    public long Sent => _totals.GetValueOrDefault(SentName);

    /// <summary>Items dropped (queue full, rejected, spool bounds), since start-up.</summary>
    public long Dropped => _totals.GetValueOrDefault(DroppedName);

    /// <summary>Batches written to the disk spool, since start-up.</summary>
    public long Spooled => _totals.GetValueOrDefault(SpooledName);

    /// <summary>Spooled batches dropped by the spool's bounds, since start-up.</summary>
    public long SpoolDropped => _totals.GetValueOrDefault(SpoolDroppedName);

    public void Dispose() => _listener.Dispose();
}
