namespace Sightline.AspNetCore.Transport;

/// <summary>
/// Incoming records, already written as their wire JSON on the request thread, waiting for the
/// shipper. A request thread copies its record into the filling segment under a short lock (a copy
/// of a few hundred bytes to a few KiB, so the lock is almost never contended), instead of renting
/// a pooled buffer, allocating a queue entry and handing both to another core that returns them.
/// The shipper takes the whole filling segment at once (the spare, empty one takes its place),
/// reads its records into batches straight from it, and hands it back as the next spare.
/// </summary>
/// <remarks>
/// Bounded: the records in the filling segment plus those the shipper has taken but not yet read
/// never exceed <c>maxRecords</c>, and the filling segment never holds more than <c>maxBytes</c>;
/// a record that does not fit is refused (the caller counts the drop). Writers: any thread.
/// Reader (<see cref="TryRead"/>): one thread at a time (the shipper's loop, then its shutdown
/// drain), which owns the taken segment.
/// </remarks>
internal sealed class SerializedRecords(int maxRecords, long maxBytes)
{
    private readonly Lock _gate = new();
    private Segment _filling = new();
    private Segment? _spare = new();
    private int _filled;   // records in _filling (written under the lock, read without it)
    private int _unread;   // records taken by the reader and not read yet (written by the reader only)
    private Segment? _reading;
    private int _next;

    /// <summary>Records waiting: in the filling segment plus taken and not yet read.</summary>
    public int Count => Volatile.Read(ref _filled) + Volatile.Read(ref _unread);

    /// <summary>Copies one record's JSON in; false (nothing kept) when the bounds are reached.</summary>
    public bool TryAdd(ReadOnlySpan<byte> json)
    {
        lock (_gate)
        {
            var segment = _filling;
            if (segment.Count + Volatile.Read(ref _unread) >= maxRecords || segment.Length + (long)json.Length > maxBytes) return false;
            segment.Append(json);
            Volatile.Write(ref _filled, segment.Count);
            return true;
        }
    }

    /// <summary>
    /// The next waiting record, oldest segment first. The span is valid until the next call (the
    /// segment it points into is recycled once read to the end). Reader thread only.
    /// </summary>
    public bool TryRead(out ReadOnlySpan<byte> json)
    {
        if (_reading is null || _next == _reading.Count)
        {
            if (_reading is not null) Recycle(_reading);
            _reading = Take();
            _next = 0;
            if (_reading is null)
            {
                json = default;
                return false;
            }
        }
        json = _reading.Record(_next++);
        Volatile.Write(ref _unread, _reading.Count - _next);
        return true;
    }

    private Segment? Take()
    {
        lock (_gate)
        {
            var full = _filling;
            if (full.Count == 0) return null;
            _filling = _spare ?? new Segment();
            _spare = null;
            Volatile.Write(ref _unread, full.Count);
            Volatile.Write(ref _filled, 0);
            return full;
        }
    }

    private void Recycle(Segment segment)
    {
        segment.Reset();
        lock (_gate) _spare ??= segment;
    }

    /// <summary>Records back to back in one growable array, with each record's end offset.</summary>
    private sealed class Segment
    {
        private const int InitialBytes = 64 * 1024;
        private const int InitialRecords = 64;
        private byte[] _bytes = [];
        private int[] _ends = new int[InitialRecords];
        private int _quietRounds;

        public int Count { get; private set; }

        public int Length { get; private set; }

        public void Append(ReadOnlySpan<byte> json)
        {
            if (_bytes.Length - Length < json.Length) Grow(ref _bytes, Length, Length + json.Length, InitialBytes);
            if (_ends.Length == Count) Grow(ref _ends, Count, Count + 1, InitialRecords);
            json.CopyTo(_bytes.AsSpan(Length));
            Length += json.Length;
            _ends[Count++] = Length;
        }

        public ReadOnlySpan<byte> Record(int index)
        {
            var start = index == 0 ? 0 : _ends[index - 1];
            return _bytes.AsSpan(start, _ends[index] - start);
        }

        // Keeps its arrays for the next round (steady load reuses them); after eight rounds in a
        // row that used less than a quarter of arrays grown past their initial size (a burst is
        // over), lets them go.
        public void Reset()
        {
            _quietRounds = Length < _bytes.Length / 4 ? _quietRounds + 1 : 0;
            if (_quietRounds >= 8 && (_bytes.Length > InitialBytes || _ends.Length > InitialRecords))
            {
                _bytes = [];
                _ends = new int[InitialRecords];
                _quietRounds = 0;
            }
            Count = 0;
            Length = 0;
        }

        private static void Grow<T>(ref T[] array, int used, int needed, int initial)
        {
            var size = Math.Max(initial, array.Length);
            while (size < needed) size = size <= int.MaxValue / 2 ? size * 2 : int.MaxValue;
            var next = new T[size];
            array.AsSpan(0, used).CopyTo(next);
            array = next;
        }
    }
}
