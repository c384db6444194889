using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Sightline.ApiKeys.Tests;

/// <summary>Listens to one app's <c>sightline.apikeys.refused</c> counter (its own meter factory, so parallel tests don't mix).</summary>
internal sealed class RefusalCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new();

    public RefusalCounter(ApiKeyApp app)
    {
        var factory = app.App.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "sightline.apikeys.refused" && ReferenceEquals(instrument.Meter.Scope, factory)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "reason") _counts.AddOrUpdate((string)tag.Value!, value, (_, old) => old + value);
            }
        });
        _listener.Start();
    }

    public long Count(string reason) => _counts.TryGetValue(reason, out var count) ? count : 0;

    public void Dispose() => _listener.Dispose();
}
