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
/// are written when the batch is finished. Segments of incoming records (<see cref="RecordSegments"/>)
/// arrive compressed: they are kept as they are and spliced in when the batch is finished, so the batch
/// is then three or more gzip members in a row, which decompress to one JSON document: the head and
/// the records serialized here, the segments (with a one-comma member between two), and the tail.
/// </summary>
internal sealed class BatchBuilder : IDisposable
{
    private const int ChunkSize = 64 * 1024;

    // Only ", \ and control characters are escaped: the output parses to the same values as the
    // default (HTML-safe) escaping and is smaller and faster to write and compress.
    private static readonly JsonWriterOptions s_writerOptions = RecordJsonWriter.WriterOptions;

    // Gzip members spliced between and after segments: a comma (between two records), and the tail of a
    // batch with no metrics, heartbeats or security events.
    private static readonly byte[] s_commaMember = Member(","u8);
    private static readonly byte[] s_emptyTailMember = EmptyTailMember();

    private readonly ServiceInfo _service;
    private readonly List<MetricsSnapshot> _metrics = [];
    private readonly List<Heartbeat> _heartbeats = [];
    private readonly List<SecurityEvent> _securityEvents = [];
    private readonly List<RecordSegment> _segments = [];
    private readonly ArrayBufferWriter<byte> _json = new(ChunkSize + (16 * 1024));
    private readonly Utf8JsonWriter _writer;
    private readonly RecordJsonWriter _records = new();
    private readonly MemoryStream _compressed = new();
    private GZipStream? _gzip;
    private long _flushedBytes;
    private long _segmentBytes;
    private int _ownRecords; // records serialized into the head member
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
    public long UncompressedBytes => _flushedBytes + _segmentBytes + _writer.BytesPending + _json.WrittenCount + (2048L * (_metrics.Count + _heartbeats.Count + _securityEvents.Count));

    /// <summary>Adds a sealed segment of incoming records (released when the batch is finished or reset).</summary>
    public void Add(RecordSegment segment)
    {
        Start();
        _segments.Add(segment);
        _segmentBytes += segment.UncompressedBytes;
        Count += segment.Records;
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
        _ownRecords++;
    }

    /// <summary>Adds an item taken from the <see cref="TelemetryQueue"/>: a <see cref="RecordSegment"/>, <see cref="RequestRecord"/>, <see cref="MetricsSnapshot"/>, <see cref="Heartbeat"/> or <see cref="SecurityEvent"/> (anything else is ignored).</summary>
    public void Add(object item)
    {
        Start();
        switch (item)
        {
            case RecordSegment segment:
                Add(segment);
                return;
            case RequestRecord record:
                _records.Write(_writer, record);
                Spill();
                _ownRecords++;
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
        if (_segments.Count > 0)
        {
            SpliceSegments();
            if (_metrics.Count == 0 && _heartbeats.Count == 0 && _securityEvents.Count == 0)
            {
                _compressed.Write(s_emptyTailMember); // the usual tail, compressed once
                var spliced = _compressed.GetBuffer().AsMemory(0, (int)_compressed.Length);
                Reset(keepCompressed: true);
                return spliced;
            }
            _gzip = new GZipStream(_compressed, CompressionLevel.Fastest, leaveOpen: true);
        }
        WriteTail(writer, _metrics, _heartbeats, _securityEvents);
        Spill(force: true);
        _gzip!.Dispose(); // writes the gzip trailer
        _gzip = null;
        var bytes = _compressed.GetBuffer().AsMemory(0, (int)_compressed.Length);
        Reset(keepCompressed: true);
        return bytes;
    }

    // Ends the head member after the records serialized here, then appends each segment (a member of its
    // own) with a comma member before it when a record precedes it. The tail is a member of its own.
    private void SpliceSegments()
    {
        Spill(force: true);
        _gzip!.Dispose();
        var separate = _ownRecords > 0;
        foreach (var segment in _segments)
        {
            if (separate) _compressed.Write(s_commaMember);
            _compressed.Write(segment.Compressed);
            segment.Release();
            separate = true;
        }
        _segments.Clear();
        _gzip = null;
    }

    // Ends the records array and the batch: the metrics, heartbeats and security events.
    private static void WriteTail(Utf8JsonWriter writer, List<MetricsSnapshot> metrics, List<Heartbeat> heartbeats, List<SecurityEvent> securityEvents)
    {
        writer.WriteEndArray();
        writer.WritePropertyName("metrics");
        JsonSerializer.Serialize(writer, metrics, WireJsonContext.Default.ListMetricsSnapshot);
        writer.WritePropertyName("heartbeats");
        JsonSerializer.Serialize(writer, heartbeats, WireJsonContext.Default.ListHeartbeat);
        writer.WritePropertyName("securityEvents");
        JsonSerializer.Serialize(writer, securityEvents, WireJsonContext.Default.ListSecurityEvent);
        writer.WriteEndObject();
    }

    // The tail WriteTail writes when there are no metrics, heartbeats or security events, as a gzip member.
    private static byte[] EmptyTailMember()
    {
        var json = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(json, s_writerOptions);
        writer.WriteStartObject();
        writer.WriteStartArray("records");
        writer.Flush();
        var head = json.WrittenCount;
        WriteTail(writer, [], [], []);
        writer.Flush();
        return Member(json.WrittenSpan[head..]);
    }

    private static byte[] Member(ReadOnlySpan<byte> json)
    {
        using var member = new MemoryStream();
        using (var gzip = new GZipStream(member, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(json);
        return member.ToArray();
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
        _segmentBytes = 0;
        _ownRecords = 0;
        foreach (var segment in _segments) segment.Release();
        _segments.Clear();
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
