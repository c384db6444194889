using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Sightline.Protocol.Wire;

namespace Sightline.Server.Storage;

/// <summary>
/// The text columns of a batch's records, already in the UTF-8 that SQLite stores, built on the
/// request's thread before the single writer is taken: the ids formatted, the short strings encoded,
/// the record serialized for its <c>body</c> column (<see cref="StoredJson"/>'s relaxed escaping).
/// All of it goes into one buffer per batch (no array per record), so the writer only binds slices
/// of it and steps.
/// </summary>
internal sealed class SqliteRecordColumns
{
    /// <summary>The text columns of one record, in this order.</summary>
    public const int Id = 0, Direction = 1, Method = 2, Route = 3, Path = 4, Consumer = 5, ClientIp = 6, Environment = 7,
        Service = 8, Host = 9, ParentId = 10, Body = 11, Count = 12;

    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private byte[] _buffer;
    private readonly int[] _slices; // (offset, length) per column per record; length -1 is NULL

    private SqliteRecordColumns(byte[] buffer, int[] slices)
    {
        _buffer = buffer;
        _slices = slices;
    }

    /// <summary>Returns the buffer to the pool; call only once the writer is done with this batch.</summary>
    public void Release()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }

    /// <summary>Column <paramref name="column"/> of record <paramref name="record"/>; <paramref name="isNull"/> for SQL NULL.</summary>
    public ReadOnlySpan<byte> Get(int record, int column, out bool isNull)
    {
        var i = (record * Count + column) * 2;
        var length = _slices[i + 1];
        isNull = length < 0;
        return isNull ? default : _buffer.AsSpan(_slices[i], length);
    }

    /// <summary>Encodes the text columns of every record of <paramref name="batch"/>.</summary>
    public static SqliteRecordColumns Encode(IngestBatch batch)
    {
        var records = batch.Records;
        var slices = new int[records.Count * Count * 2];
        var output = new PooledWriter(Math.Max(4096, records.Count * 1024));
        var json = new Utf8JsonWriter(output, s_writerOptions);
        for (var r = 0; r < records.Count; r++)
        {
            var record = records[r];
            var service = record.Service ?? batch.Service;
            var at = r * Count * 2;
            Guid(output, slices, at + Id * 2, record.Id);
            Text(output, slices, at + Direction * 2, record.Direction);
            Text(output, slices, at + Method * 2, record.Method);
            Text(output, slices, at + Route * 2, record.RouteTemplate);
            Text(output, slices, at + Path * 2, record.Path);
            Text(output, slices, at + Consumer * 2, record.Consumer?.Identifier);
            Text(output, slices, at + ClientIp * 2, record.ClientIp);
            Text(output, slices, at + Environment * 2, service?.Environment);
            Text(output, slices, at + Service * 2, service?.Name);
            Text(output, slices, at + Host * 2, record.Host);
            if (record.ParentId is { } parent) Guid(output, slices, at + ParentId * 2, parent);
            else slices[at + ParentId * 2 + 1] = -1;
            var start = output.WrittenCount;
            JsonSerializer.Serialize(json, record, StoredJson.Record);
            json.Flush();
            json.Reset();
            slices[at + Body * 2] = start;
            slices[at + Body * 2 + 1] = output.WrittenCount - start;
            // Sized once from the first record (records of one batch are alike), instead of doubling and copying several times.
            if (r == 0) output.Reserve((long)output.WrittenCount * records.Count * 5 / 4);
        }
        json.Dispose();
        return new SqliteRecordColumns(output.Buffer, slices);
    }

    private static void Guid(PooledWriter output, int[] slices, int at, Guid value)
    {
        value.TryFormat(output.GetSpan(36), out var written, "D");
        slices[at] = output.WrittenCount;
        slices[at + 1] = written;
        output.Advance(written);
    }

    private static void Text(PooledWriter output, int[] slices, int at, string? value)
    {
        if (value is null)
        {
            slices[at + 1] = -1;
            return;
        }
        var written = Encoding.UTF8.GetBytes(value, output.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length)));
        slices[at] = output.WrittenCount;
        slices[at + 1] = written;
        output.Advance(written);
    }

    /// <summary>A growable buffer rented from the shared pool (a batch's columns are 0.5–5 MiB: fresh arrays would land on the large object heap).</summary>
    private sealed class PooledWriter(int capacity) : IBufferWriter<byte>
    {
        public byte[] Buffer { get; private set; } = ArrayPool<byte>.Shared.Rent(capacity);

        public int WrittenCount { get; private set; }

        public void Advance(int count) => WrittenCount += count;

        /// <summary>Grows the buffer to <paramref name="total"/> bytes now when it is smaller (bounded by the largest array).</summary>
        public void Reserve(long total)
        {
            if (total > Buffer.Length) Ensure((int)Math.Min(total - WrittenCount, Array.MaxLength - WrittenCount));
        }

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint); // before reading Buffer: it may replace it
            return Buffer.AsMemory(WrittenCount);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return Buffer.AsSpan(WrittenCount);
        }

        private void Ensure(int sizeHint)
        {
            if (Buffer.Length - WrittenCount < Math.Max(sizeHint, 256))
            {
                var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(Buffer.Length * 2L, WrittenCount + (long)Math.Max(sizeHint, 256)), Array.MaxLength));
                Buffer.AsSpan(0, WrittenCount).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(Buffer);
                Buffer = larger;
            }
        }
    }
}
