using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Sightline.Redaction.Tests.Json.Reference;

/// <summary>
/// main's escaper as of c75a1d2, the oracle for the current one.
/// Escapes UTF-8 text as the content of a JSON string (without the surrounding quotes): <c>"</c>,
/// <c>\</c> and the control characters U+0000–U+001F are escaped (<c>\"</c>, <c>\\</c>, <c>\n</c>,
/// <c>\r</c>, <c>\t</c>, <c>\b</c>, <c>\f</c>, otherwise <c>\u00XX</c>); every other byte, including
/// multi-byte UTF-8 sequences, is copied as is. Enclosed in quotes the output is a JSON string whose
/// value is the input text. This is how <see cref="JsonRedactor.RedactEscaped"/> writes, and how a
/// body is embedded into a JSON document without decoding it to UTF-16.
/// </summary>
internal static class MainJsonStringEscaper
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
            var span = output.GetSpan(utf8.Length + (utf8.Length / 4) + BlockReserve);
            var (consumed, written) = EscapeCore(utf8, span);
            output.Advance(written);
            utf8 = utf8[consumed..];
        }
    }

    // Escapes as much of src as fits in dst (all of it when dst holds MaxEscapedLength); returns
    // (input consumed, output written). Vector path: a 16-byte block without bytes to escape is
    // stored as is; in a block with some (JSON text has a quote every few bytes), the block's
    // remaining bytes are stored at the output position after each escape (one shuffle + one store
    // per escape, no reloads). Progress is guaranteed when dst has room for one block (BlockReserve).
    private static (int Consumed, int Written) EscapeCore(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        ref var s = ref MemoryMarshal.GetReference(src);
        ref var d = ref MemoryMarshal.GetReference(dst);
        nuint i = 0, n = 0, length = (nuint)src.Length, room = (nuint)dst.Length;
        if (Vector128.IsHardwareAccelerated && length >= (nuint)Vector128<byte>.Count)
        {
            var indices = Vector128.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            while (i + (nuint)Vector128<byte>.Count <= length && n + BlockReserve <= room)
            {
                var block = Vector128.LoadUnsafe(ref s, i);
                n = Block(ref s, i, ref d, n, block, SpecialMask(block), Vector128<byte>.Count, indices);
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
