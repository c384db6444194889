using System.IO.Compression;
using System.Text.Json;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Transport;

/// <summary>
/// Builds one gzip <see cref="IngestBatch"/> incrementally: each record is serialized into the
/// compressed stream as soon as it leaves the queue, so record objects die young (they are not
/// held, and promoted by the GC, while a batch fills). Metrics, heartbeats and security events are
/// few and are written when the batch is finished.
/// </summary>
internal sealed class BatchBuilder : IDisposable
{
    private readonly ServiceInfo _service;
    private readonly List<MetricsSnapshot> _metrics = [];
    private readonly List<Heartbeat> _heartbeats = [];
    private readonly List<SecurityEvent> _securityEvents = [];
    private MemoryStream? _buffer;
    private GZipStream? _gzip;
    private Utf8JsonWriter? _writer;

    public BatchBuilder(ServiceInfo service) => _service = service;

    /// <summary>Items in the current batch.</summary>
    public int Count { get; private set; }

    /// <summary>Uncompressed JSON bytes written so far (plus an estimate for the small item kinds).</summary>
    public long UncompressedBytes => (_writer?.BytesCommitted ?? 0) + (_writer?.BytesPending ?? 0) + 2048L * (_metrics.Count + _heartbeats.Count + _securityEvents.Count);

    public void Add(object item)
    {
        Start();
        switch (item)
        {
            case RequestRecord record:
                JsonSerializer.Serialize(_writer!, record, WireJsonContext.Default.RequestRecord);
                if (_writer!.BytesPending > 32 * 1024) _writer.Flush();
                break;
            case MetricsSnapshot snapshot: _metrics.Add(snapshot); break;
            case Heartbeat heartbeat: _heartbeats.Add(heartbeat); break;
            case SecurityEvent securityEvent: _securityEvents.Add(securityEvent); break;
            default: return;
        }
        Count++;
    }

    /// <summary>Closes the batch and returns its gzip bytes, then starts over empty.</summary>
    public byte[] Finish()
    {
        Start();
        var writer = _writer!;
        writer.WriteEndArray();
        writer.WritePropertyName("metrics");
        JsonSerializer.Serialize(writer, _metrics, WireJsonContext.Default.ListMetricsSnapshot);
        writer.WritePropertyName("heartbeats");
        JsonSerializer.Serialize(writer, _heartbeats, WireJsonContext.Default.ListHeartbeat);
        writer.WritePropertyName("securityEvents");
        JsonSerializer.Serialize(writer, _securityEvents, WireJsonContext.Default.ListSecurityEvent);
        writer.WriteEndObject();
        writer.Dispose(); // flushes into the gzip stream, which must still be open
        _writer = null;
        _gzip!.Dispose(); // writes the gzip trailer
        var bytes = _buffer!.ToArray();
        Reset();
        return bytes;
    }

    private void Start()
    {
        if (_writer is not null) return;
        _buffer = new MemoryStream();
        _gzip = new GZipStream(_buffer, CompressionLevel.Fastest, leaveOpen: true);
        _writer = new Utf8JsonWriter(_gzip);
        _writer.WriteStartObject();
        _writer.WriteNumber("schemaVersion", WireConstants.SchemaVersion);
        _writer.WritePropertyName("service");
        JsonSerializer.Serialize(_writer, _service, WireJsonContext.Default.ServiceInfo);
        _writer.WriteStartArray("records");
    }

    private void Reset()
    {
        _writer?.Dispose();
        _gzip?.Dispose();
        _buffer?.Dispose();
        _writer = null;
        _gzip = null;
        _buffer = null;
        _metrics.Clear();
        _heartbeats.Clear();
        _securityEvents.Clear();
        Count = 0;
    }

    public void Dispose() => Reset();
}
