using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Sightline.AspNetCore.Tests.Transport;

/// <summary>Sums the SDK's counters (meter Sightline.AspNetCore) published by one shipper's TransportMetrics.</summary>
internal sealed class CounterListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new();

    public CounterListener(Meter? only = null)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Sightline.AspNetCore" && (only is null || ReferenceEquals(instrument.Meter, only)))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _totals.AddOrUpdate(instrument.Name, value, (_, v) => v + value));
        _listener.Start();
    }

    public long this[string name] => _totals.TryGetValue("sightline.sdk." + name, out var v) ? v : 0;

    public void Dispose() => _listener.Dispose();
}
