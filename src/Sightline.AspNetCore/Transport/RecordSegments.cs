using System.IO.Compression;
using Sightline.AspNetCore.Capture;

namespace Sightline.AspNetCore.Transport;

/// <summary>
/// Incoming records are compressed on the thread that wrote them, while their JSON is still in that
/// core's cache: each thread appends its records (comma-separated) to an open <em>segment</em> of its
/// own, a gzip member, and only the compressed member (about a seventh of the JSON) crosses to the
/// shipper's thread, once per <see cref="SegmentWriter"/>'s cap of records or bytes. Handing each
/// record's JSON to the shipper instead cost more than writing it: the shipper read every byte from
/// the other core's cache, and every record took a queue slot and a pooled buffer both ways.
/// A batch is then several gzip members in a row (RFC 1952 allows any number), which decompress to one
/// JSON document. Records wait in an open segment until it is full or the shipper seals it
/// (<see cref="TelemetryQueue.SealOpenSegments"/>) when a batch is due; each open segment holds one compressor (zlib's
/// deflate state, a few hundred KiB of native memory) only while it has records.
/// </summary>
internal sealed class RecordSegments(int maxRecords, int maxBytes)
{
    // Most records and uncompressed bytes in one segment (fewer when the batch or queue limits are smaller).
    private const int MaxRecordsPerSegment = 128;
    private const int MaxBytesPerSegment = 1024 * 1024;

    private const int ThreadSlots = 4;

    // This thread's writers, by owner (an app has one owner; tests and multi-host processes have a few).
    [ThreadStatic]
    private static (RecordSegments? Owner, SegmentWriter? Writer)[]? t_writers;

    [ThreadStatic]
    private static int t_nextSlot;

    private readonly Lock _registry = new();
    private SegmentWriter[] _writers = []; // copy-on-write: the shipper enumerates it without the lock

    /// <summary>Most records per segment.</summary>
    public int MaxRecords { get; } = Math.Clamp(maxRecords, 1, MaxRecordsPerSegment);

    /// <summary>Most uncompressed bytes per segment.</summary>
    public int MaxBytes { get; } = Math.Clamp(maxBytes, 1, MaxBytesPerSegment);

    /// <summary>The calling thread's writer.</summary>
    public SegmentWriter ForThisThread()
    {
        var slots = t_writers ??= new (RecordSegments?, SegmentWriter?)[ThreadSlots];
        for (var i = 0; i < slots.Length; i++)
        {
            if (ReferenceEquals(slots[i].Owner, this)) return slots[i].Writer!;
        }
        // A writer another owner's slot gave way to stays registered with its owner, which still seals it.
        var writer = new SegmentWriter(this, Thread.CurrentThread);
        lock (_registry) _writers = [.. _writers, writer];
        slots[t_nextSlot++ % ThreadSlots] = (this, writer);
        return writer;
    }

    /// <summary>Every writer registered so far (threads that wrote records for this owner), less the pruned ones.</summary>
    public ReadOnlySpan<SegmentWriter> Writers => Volatile.Read(ref _writers);

    /// <summary>
    /// Forgets the writers of threads that have ended and whose segment is empty (sealed by the caller
    /// just before), so an app whose thread pool comes and goes over weeks does not keep one per thread
    /// it ever had.
    /// </summary>
    public void PruneEnded()
    {
        if (!Array.Exists(Volatile.Read(ref _writers), Ended)) return;
        lock (_registry)
        {
            // Under the lock: a writer registered meanwhile is kept (only ended threads' writers go, and they register nothing).
            _writers = [.. _writers.Where(w => !Ended(w))];
        }
    }

    private static bool Ended(SegmentWriter writer) => !writer.Thread.IsAlive && writer.Records == 0;
}

/// <summary>
/// One thread's open segment for one <see cref="RecordSegments"/> owner: records are staged in a
/// 128 KiB pooled buffer, compressed into a gzip member (in a pooled buffer) only when the staging buffer
/// is full or the segment is sealed. A segment of headers-only records (125 of ~700 B) is then
/// compressed in one call, and its deflate state lives only for that call. Smaller steps cost more: a
/// compressor call per record more than the record, 16 KiB steps 2–4% of throughput in the load
/// benchmark, 64 KiB steps about 1%.
/// Its thread appends; the shipper's thread may seal it at any time: both under the writer's lock, which
/// is uncontended but for those seals.
/// </summary>
internal sealed class SegmentWriter(RecordSegments owner, Thread thread)
{
    private const int StagingBytes = 128 * 1024;

    private readonly Lock _lock = new();
    private readonly SegmentOutput _output = new();
    private GZipStream? _gzip;
    private byte[]? _staging;
    private int _staged;
    private long _uncompressed;

    /// <summary>Records in the open segment.</summary>
    public int Records { get; private set; }

    /// <summary>The thread that appends (the only one).</summary>
    public Thread Thread { get; } = thread;

    /// <summary>Appends one record's JSON; false when it was dropped.</summary>
    /// <param name="json">The record.</param>
    /// <param name="waiting">Items waiting in the queue.</param>
    /// <param name="capacity">The queue's bound: a record that would make the waiting items and the open segment's records reach it is dropped.</param>
    /// <param name="sealedSegment">The segment this record filled, for the caller to queue, or null.</param>
    /// <param name="lost">Records lost to a compressor failure, this one included (then false; 0 when the capacity refused it).</param>
    public bool TryAppend(ReadOnlySpan<byte> json, long waiting, long capacity, out RecordSegment? sealedSegment, out int lost)
    {
        sealedSegment = null;
        lost = 0;
        lock (_lock)
        {
            if (waiting + Records >= capacity) return false;
            var appended = false;
            try
            {
                var needed = json.Length + 1;
                if (_staging is null || _staged + needed > _staging.Length)
                {
                    Compress();
                    if (_staging is null || needed > _staging.Length)
                    {
                        ReleaseStaging();
                        _staging = CapturePool.Shared.Rent(Math.Max(StagingBytes, needed));
                    }
                }
                if (Records > 0) _staging[_staged++] = (byte)',';
                json.CopyTo(_staging.AsSpan(_staged));
                _staged += json.Length;
                Records++;
                _uncompressed += needed;
                appended = true;
                if (Records >= owner.MaxRecords || _uncompressed >= owner.MaxBytes) sealedSegment = Seal(releaseStaging: false);
                return true;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                lost = Records + (appended ? 0 : 1);
                Discard();
                return false;
            }
        }
    }

    /// <summary>
    /// Seals the open segment if it has records (for the shipper: a batch is due, or shutdown); null when
    /// empty. Either way the staging buffer goes back to the pool: the thread may be idle, or gone.
    /// </summary>
    /// <param name="lost">Records lost to a compressor failure.</param>
    public RecordSegment? SealIfAny(out int lost)
    {
        lost = 0;
        lock (_lock)
        {
            if (Records == 0)
            {
                ReleaseStaging();
                return null;
            }
            try
            {
                return Seal(releaseStaging: true);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                lost = Records;
                Discard();
                return null;
            }
        }
    }

    private void Compress()
    {
        if (_staged == 0) return;
        _gzip ??= new GZipStream(_output, CompressionLevel.Fastest, leaveOpen: true);
        _gzip.Write(_staging!, 0, _staged);
        _staged = 0;
    }

    private RecordSegment Seal(bool releaseStaging)
    {
        Compress();
        _gzip!.Dispose(); // writes the member's trailer
        _gzip = null;
        var (buffer, length) = _output.Detach();
        var segment = new RecordSegment(buffer, length, Records, _uncompressed);
        Records = 0;
        _uncompressed = 0;
        if (releaseStaging) ReleaseStaging();
        return segment;
    }

    private void ReleaseStaging()
    {
        if (_staging is null) return;
        CapturePool.Shared.Return(_staging);
        _staging = null;
    }

    private void Discard()
    {
        try
        {
            _gzip?.Dispose();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // the compressor is gone either way
        }
        _gzip = null;
        var (buffer, _) = _output.Detach();
        if (buffer.Length > 0) CapturePool.Shared.Return(buffer);
        _staged = 0;
        Records = 0;
        _uncompressed = 0;
    }
}

/// <summary>A sealed segment: one complete gzip member holding <see cref="Records"/> records' JSON, comma-separated, in a pooled buffer.</summary>
internal sealed class RecordSegment(byte[] buffer, int length, int records, long uncompressedBytes)
{
    private byte[]? _buffer = buffer;

    /// <summary>The gzip member.</summary>
    public ReadOnlySpan<byte> Compressed => _buffer is null ? default : _buffer.AsSpan(0, length);

    /// <summary>How many records it holds.</summary>
    public int Records { get; } = records;

    /// <summary>Their JSON's size, commas included.</summary>
    public long UncompressedBytes { get; } = uncompressedBytes;

    /// <summary>Returns the buffer to the pool; <see cref="Compressed"/> is empty afterwards.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { Length: > 0 } pooled) CapturePool.Shared.Return(pooled);
    }
}

/// <summary>The write-only stream a segment's gzip member goes into: a <see cref="PooledByteWriter"/> (one buffer from <see cref="CapturePool"/>, grown by doubling).</summary>
internal sealed class SegmentOutput : Stream
{
    private const int InitialSize = 16 * 1024; // a headers-only segment's member, without growing
    private readonly PooledByteWriter _writer = new();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _writer.Length;

    public override long Position
    {
        get => _writer.Length;
        set => throw new NotSupportedException();
    }

    /// <summary>Hands the buffer and the length written over (the caller returns it to the pool); the stream starts empty.</summary>
    public (byte[] Buffer, int Length) Detach() => _writer.Detach();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_writer.Length == 0) _writer.Reserve(Math.Max(InitialSize, buffer.Length));
        buffer.CopyTo(_writer.GetSpan(buffer.Length));
        _writer.Advance(buffer.Length);
    }

    public override void WriteByte(byte value) => Write(new ReadOnlySpan<byte>(in value));

    public override void Flush()
    {
        // nothing is buffered here
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
