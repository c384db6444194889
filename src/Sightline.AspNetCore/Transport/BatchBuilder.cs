using System.Buffers;
using System.IO.Compression;
using System.Text.Json;
using Sightline.AspNetCore.Capture;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Transport;

/// <summary>
/// Builds one gzip <see cref="IngestBatch"/> incrementally: each record is serialized as soon as it
/// leaves the queue (so record objects and their pooled buffers are released at once, not held
/// while a batch fills). JSON goes into a reused buffer that is handed to the gzip stream in large
/// chunks (never flushed mid-stream, which would cost a deflate sync point per chunk); the
/// compressed bytes go into a reused stream. Metrics, heartbeats and security events are few and
/// are written when the batch is finished.
/// </summary>
internal sealed class BatchBuilder : IDisposable
{
    private const int ChunkSize = 64 * 1024;

    // Only ", \ and control characters are escaped: the output parses to the same values as the
    // default (HTML-safe) escaping and is smaller and faster to write and compress.
    private static readonly JsonWriterOptions s_writerOptions = RecordJsonWriter.WriterOptions;

    private readonly ServiceInfo _service;
    private readonly List<MetricsSnapshot> _metrics = [];
    private readonly List<Heartbeat> _heartbeats = [];
    private readonly List<SecurityEvent> _securityEvents = [];
    private readonly ArrayBufferWriter<byte> _json = new(ChunkSize + (16 * 1024));
    private readonly Utf8JsonWriter _writer;
    private readonly RecordJsonWriter _records = new();
    private readonly MemoryStream _compressed = new();
    private GZipStream? _gzip;
    private long _flushedBytes;
    private bool _started;
    private bool _disposed;

    public BatchBuilder(ServiceInfo service)
    {
        _service = service;
        _writer = new Utf8JsonWriter(_json, s_writerOptions);
    }

    /// <summary>Items in the current batch.</summary>
    public int Count { get; private set; }

    /// <summary>Uncompressed JSON bytes written so far (plus an estimate for the small item kinds).</summary>
    public long UncompressedBytes => _flushedBytes + _writer.BytesPending + _json.WrittenCount + (2048L * (_metrics.Count + _heartbeats.Count + _securityEvents.Count));

    /// <summary>Adds an item taken from the <see cref="TelemetryQueue"/>.</summary>
    public void Add(in QueuedItem item)
    {
        if (item.Item is byte[] json) Add(IncomingRecord.FromJson(json, item.Length));
        else Add(item.Item);
    }

    /// <summary>Adds a captured incoming request and releases its buffer.</summary>
    public void Add(IncomingRecord incoming)
    {
        Start();
        try
        {
            RecordJsonWriter.Write(_writer, incoming);
        }
        finally
        {
            incoming.Release();
        }
        Spill();
        Count++;
    }

    /// <summary>Adds a <see cref="RequestRecord"/>, <see cref="MetricsSnapshot"/>, <see cref="Heartbeat"/> or <see cref="SecurityEvent"/> (anything else is ignored).</summary>
    public void Add(object item)
    {
        Start();
        switch (item)
        {
            case RequestRecord record:
                _records.Write(_writer, record);
                Spill();
                break;
            case MetricsSnapshot snapshot: _metrics.Add(snapshot); break;
            case Heartbeat heartbeat: _heartbeats.Add(heartbeat); break;
            case SecurityEvent securityEvent: _securityEvents.Add(securityEvent); break;
            default: return;
        }
        Count++;
    }

    /// <summary>
    /// Closes the batch and returns its gzip bytes, then starts over empty. The bytes live in a
    /// buffer this builder reuses (no large-object allocation per batch): they are valid until
    /// the next <c>Add</c>, <see cref="Finish"/> or <see cref="Dispose"/>.
    /// </summary>
    public ReadOnlyMemory<byte> Finish()
    {
        Start();
        var writer = _writer;
        writer.WriteEndArray();
        writer.WritePropertyName("metrics");
        JsonSerializer.Serialize(writer, _metrics, WireJsonContext.Default.ListMetricsSnapshot);
        writer.WritePropertyName("heartbeats");
        JsonSerializer.Serialize(writer, _heartbeats, WireJsonContext.Default.ListHeartbeat);
        writer.WritePropertyName("securityEvents");
        JsonSerializer.Serialize(writer, _securityEvents, WireJsonContext.Default.ListSecurityEvent);
        writer.WriteEndObject();
        Spill(force: true);
        _gzip!.Dispose(); // writes the gzip trailer
        _gzip = null;
        var bytes = _compressed.GetBuffer().AsMemory(0, (int)_compressed.Length);
        Reset(keepCompressed: true);
        return bytes;
    }

    private void Start()
    {
        if (_started) return;
        _started = true;
        _compressed.SetLength(0); // the previous batch's bytes are no longer needed
        if (_compressed.Capacity > 16 * 1024 * 1024) _compressed.Capacity = 0;
        _gzip = new GZipStream(_compressed, CompressionLevel.Fastest, leaveOpen: true);
        _writer.WriteStartObject();
        _writer.WriteNumber("schemaVersion", WireConstants.SchemaVersion);
        _writer.WritePropertyName("service");
        JsonSerializer.Serialize(_writer, _service, WireJsonContext.Default.ServiceInfo);
        _writer.WriteStartArray("records");
    }

    // Hands the buffered JSON to gzip once a large chunk has accumulated.
    private void Spill(bool force = false)
    {
        _writer.Flush(); // into _json (a buffer writer: no stream flush involved)
        if (!force && _json.WrittenCount < ChunkSize) return;
        _gzip!.Write(_json.WrittenSpan);
        _flushedBytes += _json.WrittenCount;
        _json.ResetWrittenCount();
    }

    private void Reset(bool keepCompressed = false)
    {
        _gzip?.Dispose();
        _gzip = null;
        _writer.Reset(_json);
        _json.ResetWrittenCount();
        if (!keepCompressed) _compressed.SetLength(0);
        _flushedBytes = 0;
        _started = false;
        _metrics.Clear();
        _heartbeats.Clear();
        _securityEvents.Clear();
        Count = 0;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Reset();
        _writer.Dispose();
        _compressed.Dispose();
    }
}
