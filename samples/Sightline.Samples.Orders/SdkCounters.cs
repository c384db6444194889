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
    private static readonly string[] s_instruments =
        ["sightline.sdk.items.sent", "sightline.sdk.items.dropped", "sightline.sdk.batches.spooled", "sightline.sdk.batches.spool_dropped"];

    private readonly MeterListener _listener = new();

    public SdkCounters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Sightline.AspNetCore" && s_instruments.Contains(instrument.Name)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value));
        _listener.Start();
    }

    /// <summary>Totals since start-up by instrument name (e.g. <c>sightline.sdk.items.sent</c>).</summary>
    public ConcurrentDictionary<string, long> Totals { get; } = new();

    public void Dispose() => _listener.Dispose();
}
