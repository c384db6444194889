using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sightline.Redaction;

/// <summary>
/// Escapes UTF-8 text as the content of a JSON string (without the surrounding quotes): <c>"</c>,
/// <c>\</c> and the control characters U+0000–U+001F are escaped (<c>\"</c>, <c>\\</c>, <c>\n</c>,
/// <c>\r</c>, <c>\t</c>, <c>\b</c>, <c>\f</c>, otherwise <c>\u00XX</c>); every other byte, including
/// multi-byte UTF-8 sequences, is copied as is. Enclosed in quotes the output is a JSON string whose
/// value is the input text. This is how <see cref="JsonRedactor.RedactEscaped"/> writes, and how a
/// body is embedded into a JSON document without decoding it to UTF-16.
/// </summary>
public static class JsonStringEscaper
{
    // Per 16-byte block at most 16 * 6 bytes of output, plus the 16-byte store after each escape.
    private const int BlockReserve = (16 * 6) + 16;

    /// <summary>The largest output <see cref="Escape(ReadOnlySpan{byte}, Span{byte})"/> may need for <paramref name="length"/> input bytes (it also stores up to 16 bytes past the end of what it returns).</summary>
    public static int MaxEscapedLength(int length) => checked((length * 6) + 16);

    /// <summary>Escapes <paramref name="utf8"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="MaxEscapedLength"/>.</exception>
    public static int Escape(ReadOnlySpan<byte> utf8, Span<byte> destination)
    {
        if (destination.Length < MaxEscapedLength(utf8.Length))
            throw new ArgumentException("The destination is shorter than MaxEscapedLength(source length).", nameof(destination));
        var (_, written) = EscapeCore(utf8, destination);
        return written;
    }

    /// <summary>Escapes <paramref name="utf8"/> into <paramref name="output"/>, asking it for room as it goes (about 1.25 times the input, more only when the text needs it).</summary>
    public static void Escape(ReadOnlySpan<byte> utf8, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        while (!utf8.IsEmpty)
        {
            var span = output.GetSpan(RoomHint(utf8.Length));
            var (consumed, written) = EscapeCore(utf8, span);
            output.Advance(written);
            utf8 = utf8[consumed..];
        }
    }

    // The room asked of a writer to escape `length` bytes: enough for typical JSON text in one go, and always for one block.
    internal static int RoomHint(int length) => length + (length / 4) + BlockReserve;

    // Escapes as much of src as fits in dst (all of it when dst holds MaxEscapedLength); returns
    // (input consumed, output written). Vector path, per 16-byte block: without bytes to escape the
    // block is stored as is; with only quotes and backslashes (JSON text has a quote every few
    // bytes), each 8-byte half goes out in one shuffle from a table indexed by its escape mask
    // (the half's bytes with a backslash before each one to escape) and one 16-byte store, without
    // a branch per escape; a block with a control character takes the general path (one shuffle +
    // one store per escape). Progress is guaranteed when dst has room for one block (BlockReserve).
    internal static (int Consumed, int Written) EscapeCore(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        ref var s = ref MemoryMarshal.GetReference(src);
        ref var d = ref MemoryMarshal.GetReference(dst);
        nuint i = 0, n = 0, length = (nuint)src.Length, room = (nuint)dst.Length;
        if (Vector128.IsHardwareAccelerated && length >= (nuint)Vector128<byte>.Count)
        {
            var indices = Vector128.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            ref var table = ref MemoryMarshal.GetArrayDataReference(s_halfShuffles);
            while (i + (nuint)Vector128<byte>.Count <= length && n + BlockReserve <= room)
            {
                var block = Vector128.LoadUnsafe(ref s, i);
                var quotes = (Vector128.Equals(block, Vector128.Create((byte)'"'))
                    | Vector128.Equals(block, Vector128.Create((byte)'\\'))).ExtractMostSignificantBits();
                var controls = Vector128.LessThan(block, Vector128.Create((byte)0x20)).ExtractMostSignificantBits();
                if (controls == 0)
                {
                    // Low half: its 8 bytes and 8 backslashes; high half: the same from the block's upper
                    // 8 bytes. A block without quotes goes the same way (no branch to mispredict).
                    var low = quotes & 0xFF;
                    var high = quotes >> 8;
                    ShuffleHalf(LowHalfAndBackslashes(block), Vector128.LoadUnsafe(ref table, (nuint)low * 16)).StoreUnsafe(ref d, n);
                    n += 8 + (nuint)BitOperations.PopCount(low);
                    ShuffleHalf(HighHalfAndBackslashes(block), Vector128.LoadUnsafe(ref table, (nuint)high * 16)).StoreUnsafe(ref d, n);
                    n += 8 + (nuint)BitOperations.PopCount(high);
                }
                else
                {
                    n = Block(ref s, i, ref d, n, block, quotes | controls, Vector128<byte>.Count, indices);
                }
                i += (nuint)Vector128<byte>.Count;
            }
            // A short tail (the scanner hands over many short runs between redacted values): the
            // input's last 16 bytes, shifted so the tail comes first, instead of a byte loop.
            if (i < length && n + BlockReserve <= room)
            {
                var tail = (int)(length - i);
                var block = Vector128.Shuffle(Vector128.LoadUnsafe(ref s, length - (nuint)Vector128<byte>.Count),
                    indices + Vector128.Create((byte)(Vector128<byte>.Count - tail)));
                n = Block(ref s, i, ref d, n, block, SpecialMask(block) & ((1u << tail) - 1), tail, indices);
                i = length;
            }
        }
        for (; i < length && n + 6 <= room; i++)
        {
            var b = Unsafe.Add(ref s, i);
            if (b < 0x20 || b == (byte)'"' || b == (byte)'\\') n = WriteEscaped(ref d, n, b);
            else Unsafe.Add(ref d, n++) = b;
        }
        return ((int)i, (int)n);
    }

    // For each 8-bit escape mask, the shuffle that writes a half block's 8 bytes (lanes 0-7) with a
    // backslash (any of lanes 8-15) before each marked one.
    private static readonly byte[] s_halfShuffles = BuildHalfShuffles();

    private static byte[] BuildHalfShuffles()
    {
        var table = new byte[256 * 16];
        for (var mask = 0; mask < 256; mask++)
        {
            var k = 0;
            for (var j = 0; j < 8; j++)
            {
                if ((mask >> j & 1) != 0) table[(mask * 16) + k++] = 8;
                table[(mask * 16) + k++] = (byte)j;
            }
            while (k < 16) table[(mask * 16) + k++] = 8;
        }
        return table;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> LowHalfAndBackslashes(Vector128<byte> block)
        => Sse2.IsSupported
            ? Sse2.UnpackLow(block.AsUInt64(), Vector128.Create(0x5C5C5C5C5C5C5C5CUL)).AsByte()
            : Vector128.Create(block.AsUInt64().GetElement(0), 0x5C5C5C5C5C5C5C5CUL).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> HighHalfAndBackslashes(Vector128<byte> block)
        => Sse2.IsSupported
            ? Sse2.UnpackHigh(block.AsUInt64(), Vector128.Create(0x5C5C5C5C5C5C5C5CUL)).AsByte()
            : Vector128.Create(block.AsUInt64().GetElement(1), 0x5C5C5C5C5C5C5C5CUL).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> ShuffleHalf(Vector128<byte> bytes, Vector128<byte> shuffle)
        => Ssse3.IsSupported ? Ssse3.Shuffle(bytes, shuffle) : Vector128.Shuffle(bytes, shuffle);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint SpecialMask(Vector128<byte> block)
        => (Vector128.LessThan(block, Vector128.Create((byte)0x20))
            | Vector128.Equals(block, Vector128.Create((byte)'"'))
            | Vector128.Equals(block, Vector128.Create((byte)'\\'))).ExtractMostSignificantBits();

    // Writes the first `count` bytes of `block` (source bytes i..i+count) escaped at d[n]; `mask` marks
    // the bytes to escape. Stores 16 bytes at a time, so up to 16 bytes past the result are scratch.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint Block(ref byte s, nuint i, ref byte d, nuint n, Vector128<byte> block, uint mask, int count, Vector128<byte> indices)
    {
        block.StoreUnsafe(ref d, n);
        if (mask == 0) return n + (nuint)count;
        nuint consumed = 0;
        do
        {
            var at = (nuint)BitOperations.TrailingZeroCount(mask);
            var c = Unsafe.Add(ref s, i + at);
            n += at - consumed;
            if (c is (byte)'"' or (byte)'\\')
            {
                // The common case in JSON text (a quote every few bytes): backslash + the byte itself, inline.
                Unsafe.Add(ref d, n) = (byte)'\\';
                Unsafe.Add(ref d, n + 1) = c;
                n += 2;
            }
            else
            {
                n = WriteEscaped(ref d, n, c);
            }
            consumed = at + 1;
            mask &= mask - 1;
            Vector128.Shuffle(block, indices + Vector128.Create((byte)consumed)).StoreUnsafe(ref d, n);
        }
        while (mask != 0);
        return n + (nuint)count - consumed;
    }

    private static nuint WriteEscaped(ref byte d, nuint n, byte b)
    {
        Unsafe.Add(ref d, n++) = (byte)'\\';
        switch (b)
        {
            case (byte)'"': Unsafe.Add(ref d, n++) = (byte)'"'; break;
            case (byte)'\\': Unsafe.Add(ref d, n++) = (byte)'\\'; break;
            case (byte)'\n': Unsafe.Add(ref d, n++) = (byte)'n'; break;
            case (byte)'\r': Unsafe.Add(ref d, n++) = (byte)'r'; break;
            case (byte)'\t': Unsafe.Add(ref d, n++) = (byte)'t'; break;
            case (byte)'\b': Unsafe.Add(ref d, n++) = (byte)'b'; break;
            case (byte)'\f': Unsafe.Add(ref d, n++) = (byte)'f'; break;
            default:
                Unsafe.Add(ref d, n++) = (byte)'u';
                Unsafe.Add(ref d, n++) = (byte)'0';
                Unsafe.Add(ref d, n++) = (byte)'0';
                Unsafe.Add(ref d, n++) = (byte)"0123456789abcdef"[b >> 4];
                Unsafe.Add(ref d, n++) = (byte)"0123456789abcdef"[b & 0xF];
                break;
        }
        return n;
    }
}
