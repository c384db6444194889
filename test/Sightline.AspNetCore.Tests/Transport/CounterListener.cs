using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Sightline.AspNetCore.Transport;

namespace Sightline.AspNetCore.Tests.Transport;

/// <summary>
/// Sums the SDK's counters published by one shipper's <see cref="TransportMetrics"/> — only that instance's meter, so
/// shippers of other tests running in parallel (same meter name, same process) are never counted.
/// </summary>
internal sealed class CounterListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new();

    public CounterListener(TransportMetrics metrics)
    {
        var only = metrics.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, only))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _totals.AddOrUpdate(instrument.Name, value, (_, v) => v + value));
        _listener.Start();
    }

    public long this[string name] => _totals.TryGetValue("sightline.sdk." + name, out var v) ? v : 0;

    public void Dispose() => _listener.Dispose();
}
