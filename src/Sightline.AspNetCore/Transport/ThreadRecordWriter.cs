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
internal sealed class ThreadRecordWriter
{
    /// <summary>The same options as <see cref="BatchBuilder"/>'s writer, so a record's JSON is byte for byte what the shipper would write.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    [ThreadStatic]
    private static ThreadRecordWriter? t_current;

    private readonly RecordJsonWriter _records = new();
    private readonly PooledByteWriter _output = new();
    private readonly Utf8JsonWriter _writer;
    private bool _busy;

    private ThreadRecordWriter() => _writer = new Utf8JsonWriter(_output, WriterOptions);

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
            _output.Reserve(EstimateSize(record));
            _writer.Reset(_output);
            _records.Write(_writer, record);
            _writer.Flush();
            return _output.Detach();
        }
        catch
        {
            _output.Release();
            _writer.Reset(_output);
            throw;
        }
        finally
        {
            _busy = false;
        }
    }

    private static int EstimateSize(IncomingRecord record)
        => 2048 + (record.RequestBody?.Content.Length ?? 0) + (record.ResponseBody?.Content.Length ?? 0);
}
