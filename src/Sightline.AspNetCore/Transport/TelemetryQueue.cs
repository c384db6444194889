using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Transport;

/// <summary>The bounded in-memory queue between capture and the shipper. Writing never blocks: a full queue drops and counts.</summary>
internal sealed class TelemetryQueue : ITelemetrySink
{
    private readonly Channel<object> _channel;
    private readonly TransportMetrics _metrics;

    public TelemetryQueue(IOptions<SightlineOptions> options, TransportMetrics metrics)
    {
        _metrics = metrics;
        _channel = Channel.CreateBounded<object>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite returns false instead of waiting
            SingleReader = true,
            SingleWriter = false,
        });
    }

    public ChannelReader<object> Reader => _channel.Reader;

    public int Count => _channel.Reader.Count;

    public bool TryEnqueue(RequestRecord record) => Write(record);
    public bool TryEnqueue(MetricsSnapshot snapshot) => Write(snapshot);
    public bool TryEnqueue(Heartbeat heartbeat) => Write(heartbeat);
    public bool TryEnqueue(SecurityEvent securityEvent) => Write(securityEvent);

    private bool Write(object item)
    {
        if (_channel.Writer.TryWrite(item))
        {
            _metrics.Queued.Add(1);
            return true;
        }
        _metrics.Dropped.Add(1);
        return false;
    }
}
