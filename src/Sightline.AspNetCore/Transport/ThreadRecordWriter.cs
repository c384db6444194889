using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Sightline.AspNetCore.Capture;

namespace Sightline.AspNetCore.Transport;

/// <summary>
/// Writes an <see cref="IncomingRecord"/> as its wire JSON on the request's own thread, into a
/// buffer from <see cref="CapturePool{T}"/> that the shipper copies into a batch and returns. One
/// writer per thread (a <see cref="Utf8JsonWriter"/> and a <see cref="RecordJsonWriter"/>), so it is
/// never shared; it keeps no buffer between records.
/// </summary>
internal sealed class ThreadRecordWriter : IBufferWriter<byte>
{
    /// <summary>The same options as <see cref="BatchBuilder"/>'s writer, so a record's JSON is byte for byte what the shipper would write.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    [ThreadStatic]
    private static ThreadRecordWriter? t_current;

    private readonly RecordJsonWriter _records = new();
    private readonly Utf8JsonWriter _writer;
    private byte[] _buffer = [];
    private int _length;
    private bool _busy;

    private ThreadRecordWriter() => _writer = new Utf8JsonWriter(this, WriterOptions);

    /// <summary>Writes <paramref name="record"/>; returns the pooled buffer and the length of its JSON.</summary>
    public static (byte[] Buffer, int Length) Write(IncomingRecord record)
    {
        var current = t_current ??= new ThreadRecordWriter();
        // Never re-entered in practice (nothing here calls app code); a nested call gets its own writer.
        if (current._busy) current = new ThreadRecordWriter();
        return current.WriteCore(record);
    }

    private (byte[] Buffer, int Length) WriteCore(IncomingRecord record)
    {
        _busy = true;
        try
        {
            _buffer = CapturePool<byte>.Shared.Rent(EstimateSize(record));
            _length = 0;
            _writer.Reset(this);
            _records.Write(_writer, record);
            _writer.Flush();
            var result = (_buffer, _length);
            _buffer = [];
            return result;
        }
        catch
        {
            if (_buffer.Length > 0) CapturePool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _writer.Reset(this);
            throw;
        }
        finally
        {
            _length = 0;
            _busy = false;
        }
    }

    private static int EstimateSize(IncomingRecord record)
        => 2048 + (record.RequestBody?.Content.Length ?? 0) + (record.ResponseBody?.Content.Length ?? 0);

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    private void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 256);
        if (_buffer.Length - _length >= sizeHint) return;
        var next = CapturePool<byte>.Shared.Rent(Math.Max(_length + sizeHint, _buffer.Length * 2));
        _buffer.AsSpan(0, _length).CopyTo(next);
        if (_buffer.Length > 0) CapturePool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }
}
