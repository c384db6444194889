using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;

namespace Sightline.Redaction.Json;

/// <summary>
/// The streaming redaction pass: a validating scan over the UTF-8 bytes that follows
/// <see cref="RedactionAutomaton"/> from node to node. Unchanged bytes are never re-written: the
/// output receives the raw input range between two redacted values in one copy.
/// </summary>
/// <remarks>
/// It accepts exactly what <see cref="Utf8JsonReader"/> accepts with default options (RFC 8259
/// grammar, no comments or trailing commas, no byte order mark, string contents checked for
/// control characters and escapes but not for UTF-8 validity) and enforces the same depth limit,
/// root containers being at depth 1. Subtrees in the dead state are still fully validated.
/// With a truncated input the scan stops at the end of the last complete token: the output is the
/// redacted beginning and never contains a partial token; a selected value that the cut falls in
/// is replaced as a whole.
/// The scan is one loop over the grammar's positions (value, member, after a value, container
/// end) with an explicit stack of container frames instead of recursion, so the position stays in
/// a register; output goes into one span asked of the writer up front.
/// </remarks>
internal ref struct RedactionScanner
{
    private static readonly byte[] s_replacement = "\"[CLIENT_REDACTED]\""u8.ToArray();
    private static readonly byte[] s_escapedReplacement = "\\\"[CLIENT_REDACTED]\\\""u8.ToArray();

    // String bytes that end the fast scan: the closing quote, an escape, or a control character (invalid).
    private static readonly SearchValues<byte> s_stringSpecial = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"u8);

    // Token scanners return the position after the token, or one of these.
    private const int Truncated = -1; // the input ends inside the token
    private const int Bad = -2; // not JSON

    // JSON whitespace as a bit set over 0x00..0x20.
    private const ulong WhitespaceBits = (1UL << ' ') | (1UL << '\t') | (1UL << '\n') | (1UL << '\r');

    private readonly ReadOnlySpan<byte> _input;
    private readonly IBufferWriter<byte> _output;
    private readonly bool _escape;
    private readonly bool _final;
    private readonly int _maxDepth;
    private Span<byte> _buffer;
    private int _buffered;

    // Where the scan stands on the rare paths (kept out of the hot loop's registers).
    private int _copied; // the input before this is in the output
    private int _cut; // where a truncated input's output ends
    private int _redactDepth; // depth of the selected container being validated, or -1
    private bool _redactingPrimitive; // a selected primitive is being validated
    private bool _cutInsideRedaction;

    private RedactionScanner(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int maxDepth, bool final, bool escape)
    {
        _input = input;
        _output = output;
        _maxDepth = maxDepth;
        _final = final;
        _escape = escape;
        _redactDepth = -1;
    }

    // A container on the scan stack: its automaton state, and for an array the next element's index (-1 for an object).
    private struct Frame
    {
        public int State;
        public int Index;
    }

    /// <summary>Redacts <paramref name="input"/> into <paramref name="output"/> (with <paramref name="escape"/>, as JSON string content: see <see cref="JsonStringEscaper"/>).</summary>
    public static JsonRedactionResult Run(ReadOnlySpan<byte> input, IBufferWriter<byte> output, RedactionAutomaton automaton, int maxDepth, bool truncated, bool escape = false)
    {
        var scanner = new RedactionScanner(input, output, maxDepth, !truncated, escape);
        var frames = maxDepth <= 256 ? stackalloc Frame[maxDepth + 1] : new Frame[maxDepth + 1];
        var stop = scanner.Scan(automaton.States, automaton.Initial, ref MemoryMarshal.GetReference(frames));
        JsonRedactionResult result;
        switch (stop)
        {
            case ScanStop.None:
                scanner.Emit(input[scanner._copied..]);
                result = new(JsonRedactionStatus.Redacted, null, truncated);
                break;
            case ScanStop.EndOfInput:
                if (!scanner._cutInsideRedaction) scanner.Emit(input[scanner._copied..scanner._cut]);
                result = new(JsonRedactionStatus.Redacted, null, true);
                break;
            case ScanStop.TooDeep:
                result = new(JsonRedactionStatus.DepthExceeded, $"JSON nested deeper than {maxDepth} levels", truncated);
                break;
            default:
                result = new(JsonRedactionStatus.InvalidJson, "invalid JSON", truncated);
                break;
        }
        scanner.Flush();
        return result;
    }

    // The whole grammar in one loop. Labels are the positions: Value (at a value's first byte, in
    // `state`), Member (at a member name of the object on top of the stack), AfterValue (a value
    // ended at i) and Close (the container on top of the stack ended at i). `frames` holds
    // _maxDepth + 1 frames. A selected value is replaced, then validated in the dead state.
    // Token scanners leave i on the token's start when it is cut short: that is the cut.
    private ScanStop Scan(AutomatonState[] states, int initial, ref Frame frames)
    {
        ref var s = ref MemoryMarshal.GetReference(_input);
        var n = _input.Length;
        var depth = 0;
        int state, next;
        byte b;
        var window = 0UL; // bit k: input[windowStart + k] is a quote, a backslash or a control character
        var windowStart = -64;

        var i = SkipWhitespace(ref s, 0, n);
        if (i >= n) goto EndOfInputAtEnd;
        state = initial;

    Value:
        if (state != RedactionAutomaton.Dead && states[state].IsMatch)
        {
            Replace(i);
            b = Unsafe.Add(ref s, i);
            if (b is (byte)'{' or (byte)'[')
            {
                _redactDepth = depth + 1;
            }
            else
            {
                _redactingPrimitive = true;
            }
            state = RedactionAutomaton.Dead;
        }
        b = Unsafe.Add(ref s, i);
        if (b == (byte)'"')
        {
            // The string's end from the window of special bytes (see Member).
            var bits = StringEndBits(ref s, i + 1, n, ref windowStart, ref window);
            if (bits == 0) next = String(ref s, i, n, out _);
            else if (Unsafe.Add(ref s, next = i + 1 + BitOperations.TrailingZeroCount(bits)) == (byte)'"') next++;
            else next = StringRest(MemoryMarshal.CreateReadOnlySpan(ref s, n), next, out _);
        }
        else if (b == (byte)'{')
        {
            if (++depth > _maxDepth) return ScanStop.TooDeep;
            ref var frame = ref Unsafe.Add(ref frames, depth);
            frame.State = state;
            frame.Index = -1;
            i = SkipWhitespace(ref s, i + 1, n);
            if (i >= n) goto EndOfInputAtEnd;
            if (Unsafe.Add(ref s, i) == (byte)'}')
            {
                i++;
                goto Close;
            }
            goto Member;
        }
        else if (b == (byte)'[')
        {
            if (++depth > _maxDepth) return ScanStop.TooDeep;
            ref var frame = ref Unsafe.Add(ref frames, depth);
            frame.State = state;
            frame.Index = 1;
            i = SkipWhitespace(ref s, i + 1, n);
            if (i >= n) goto EndOfInputAtEnd;
            if (Unsafe.Add(ref s, i) == (byte)']')
            {
                i++;
                goto Close;
            }
            if (state != RedactionAutomaton.Dead) state = ElementTarget(states[state], 0);
            goto Value;
        }
        else
        {
            next = Primitive(ref s, i, n);
        }
        if (next < 0)
        {
            if (next == Bad) return ScanStop.Invalid;
            goto EndOfInput;
        }
        i = next;
        if (_redactingPrimitive)
        {
            _redactingPrimitive = false;
            _copied = i;
        }

    AfterValue:
        i = SkipWhitespace(ref s, i, n);
        if (depth == 0) return i < n ? ScanStop.Invalid : ScanStop.None; // trailing content
        if (i >= n) goto EndOfInputAtEnd;
        b = Unsafe.Add(ref s, i++);
        {
            ref var frame = ref Unsafe.Add(ref frames, depth);
            if (frame.Index >= 0)
            {
                if (b == (byte)']') goto Close;
                if (b != (byte)',') return ScanStop.Invalid;
                i = SkipWhitespace(ref s, i, n);
                if (i >= n) goto EndOfInputAtEnd;
                state = frame.State;
                if (state != RedactionAutomaton.Dead) state = ElementTarget(states[state], frame.Index);
                frame.Index++;
                goto Value;
            }
        }
        if (b == (byte)'}') goto Close;
        if (b != (byte)',') return ScanStop.Invalid;
        i = SkipWhitespace(ref s, i, n);
        if (i >= n) goto EndOfInputAtEnd;

    Member:
        if (Unsafe.Add(ref s, i) != (byte)'"') return ScanStop.Invalid;
        // The name's end: the first special byte (quote, backslash, control character) after the
        // opening quote, from a bit mask of the special bytes in a 64-byte window computed once per
        // window rather than per string: consecutive strings are found by shift and count, not by a
        // vector load and compare each (whose latency chains from one string to the next).
        bool escaped;
        {
            var bits = StringEndBits(ref s, i + 1, n, ref windowStart, ref window);
            escaped = false;
            if (bits == 0) next = String(ref s, i, n, out escaped);
            else if (Unsafe.Add(ref s, next = i + 1 + BitOperations.TrailingZeroCount(bits)) == (byte)'"') next++;
            else next = StringRest(MemoryMarshal.CreateReadOnlySpan(ref s, n), next, out escaped);
        }
        if (next < 0)
        {
            if (next == Bad) return ScanStop.Invalid;
            goto EndOfInput;
        }
        var name = i;
        i = SkipWhitespace(ref s, next, n);
        if (i >= n)
        {
            i = name; // a name is kept only with its colon
            goto EndOfInput;
        }
        if (Unsafe.Add(ref s, i) != (byte)':') return ScanStop.Invalid;
        i = SkipWhitespace(ref s, i + 1, n);
        if (i >= n) goto EndOfInputAtEnd;
        state = Unsafe.Add(ref frames, depth).State;
        if (state != RedactionAutomaton.Dead)
        {
            // Most names are rejected by their length alone (an escaped name's raw length is not its length).
            var parent = states[state];
            state = escaped || ((parent.NameLengths >> Math.Min(next - name - 2, 63)) & 1) != 0
                ? MemberTarget(parent, name, next, escaped)
                : parent.OtherName;
        }
        goto Value;

    Close:
        if (depth == _redactDepth)
        {
            _redactDepth = -1;
            _copied = i;
        }
        depth--;
        goto AfterValue;

    EndOfInputAtEnd:
        i = n;
    EndOfInput:
        if (_final) return ScanStop.Invalid;
        _cut = i;
        if (_redactDepth >= 0 || _redactingPrimitive) _cutInsideRedaction = true;
        return ScanStop.EndOfInput;
    }

    // Copies the input up to the selected value at `at` and writes the replacement.
    private void Replace(int at)
    {
        Emit(_input[_copied..at]);
        var replacement = _escape ? s_escapedReplacement : s_replacement;
        Reserve(32);
        // 19 or 23 bytes as two overlapping 16-byte moves rather than a general copy.
        ref var source = ref MemoryMarshal.GetArrayDataReference(replacement);
        ref var destination = ref Unsafe.Add(ref MemoryMarshal.GetReference(_buffer), _buffered);
        var tail = (nuint)(replacement.Length - Vector128<byte>.Count);
        var head = Vector128.LoadUnsafe(ref source);
        Vector128.LoadUnsafe(ref source, tail).StoreUnsafe(ref destination, tail);
        head.StoreUnsafe(ref destination);
        _buffered += replacement.Length;
    }

    // The state of the member whose quoted name is input[start..end].
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly int MemberTarget(AutomatonState parent, int start, int end, bool escaped)
    {
        var names = parent.Names;
        if (names.Length != 0)
        {
            var index = escaped ? FindEscapedName(_input[start..end], names) : FindName(_input[(start + 1)..(end - 1)], names);
            if (index >= 0) return parent.NameTargets[index];
        }
        return parent.OtherName;
    }

    private readonly int Primitive(ref byte s, int i, int n)
    {
        var b = Unsafe.Add(ref s, i);
        if (b == (byte)'"') return String(ref s, i, n, out _);
        if (b == (byte)'-' || (uint)(b - '0') <= 9) return Number(ref s, i, n, _final);
        if (b == (byte)'t') return Literal(_input, i, "true"u8);
        if (b == (byte)'f') return Literal(_input, i, "false"u8);
        if (b == (byte)'n') return Literal(_input, i, "null"u8);
        return Bad;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ElementTarget(AutomatonState state, int index)
        => state.IndexTargets is null ? state.AnyIndex : state.ElementTarget(index);

    // Unchanged input goes to the output in one copy, or one escaping copy (the fused redact + escape of RedactEscaped).
    private void Emit(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        if (!_escape)
        {
            Reserve(bytes.Length);
            bytes.CopyTo(_buffer[_buffered..]);
            _buffered += bytes.Length;
            return;
        }
        while (!bytes.IsEmpty)
        {
            Reserve(JsonStringEscaper.RoomHint(bytes.Length));
            var (consumed, written) = JsonStringEscaper.EscapeCore(bytes, _buffer[_buffered..]);
            _buffered += written;
            bytes = bytes[consumed..];
        }
    }

    // Makes room for `count` bytes in the current output span; the first span asked for covers the
    // whole input (escaped, about 1.25 times it), so most documents need only one.
    private void Reserve(int count)
    {
        if (_buffer.Length - _buffered >= count) return;
        Flush();
        var hint = _escape ? JsonStringEscaper.RoomHint(_input.Length) : _input.Length + 64;
        _buffer = _output.GetSpan(Math.Max(count, hint));
    }

    private void Flush()
    {
        if (_buffered != 0) _output.Advance(_buffered);
        _buffered = 0;
        _buffer = default;
    }

    // Skips JSON whitespace from i; returns the first other position (n at the end of the input).
    // Compact JSON has none and json.dumps one space: both are decided inline.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipWhitespace(ref byte s, int i, int n)
    {
        if ((uint)i < (uint)n)
        {
            var b = Unsafe.Add(ref s, i);
            if (b > (byte)' ') return i;
            if (b == (byte)' ' && (uint)(i + 1) < (uint)n && Unsafe.Add(ref s, i + 1) > (byte)' ') return i + 1;
        }
        return SkipWhitespaceSlow(ref s, i, n);
    }

    private static int SkipWhitespaceSlow(ref byte s, int i, int n)
    {
        for (; i < n; i++)
        {
            var b = Unsafe.Add(ref s, i);
            if (b > (byte)' ' || ((WhitespaceBits >> b) & 1) == 0) return i;
        }
        return n;
    }

    // The special bytes from `at` on, bit 0 first: from the current 64-byte window when it still has
    // one past `at`, else from a new window starting at `at`; 0 when fewer than 64 bytes are left
    // (the caller then takes the general path).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong StringEndBits(ref byte s, int at, int n, ref int windowStart, ref ulong window)
    {
        var rel = at - windowStart;
        ulong bits;
        if ((uint)rel < 64 && (bits = window >> rel) != 0) return bits;
        if (at + 64 > n) return 0;
        windowStart = at;
        window = SpecialBytes(ref s, at);
        return window;
    }

    // The special bytes (quote, backslash, control character) of s[at..at + 64] as a bit mask.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SpecialBytes(ref byte s, int at)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var block = Vector512.LoadUnsafe(ref s, (nuint)at);
            return (Vector512.LessThan(block, Vector512.Create((byte)0x20))
                | Vector512.Equals(block, Vector512.Create((byte)'"'))
                | Vector512.Equals(block, Vector512.Create((byte)'\\'))).ExtractMostSignificantBits();
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var low = Vector256.LoadUnsafe(ref s, (nuint)at);
            var high = Vector256.LoadUnsafe(ref s, (nuint)at + 32);
            return (Vector256.LessThan(low, Vector256.Create((byte)0x20))
                    | Vector256.Equals(low, Vector256.Create((byte)'"'))
                    | Vector256.Equals(low, Vector256.Create((byte)'\\'))).ExtractMostSignificantBits()
                | ((ulong)(Vector256.LessThan(high, Vector256.Create((byte)0x20))
                    | Vector256.Equals(high, Vector256.Create((byte)'"'))
                    | Vector256.Equals(high, Vector256.Create((byte)'\\'))).ExtractMostSignificantBits() << 32);
        }
        ulong mask = 0;
        for (var k = 0; k < 64; k++)
        {
            var b = Unsafe.Add(ref s, at + k);
            if (b < 0x20 || b == (byte)'"' || b == (byte)'\\') mask |= 1UL << k;
        }
        return mask;
    }

    // A string at i (on its opening quote): the position after its closing quote. `escaped` tells
    // whether it holds a backslash. Most strings are short: one vector probe finds their end (the
    // closing quote, an escape or a control character) before the general search.
    private static int String(ref byte s, int i, int n, out bool escaped)
    {
        var j = i + 1;
        if (Vector256.IsHardwareAccelerated && j + Vector256<byte>.Count <= n)
        {
            var block = Vector256.LoadUnsafe(ref s, (nuint)j);
            var mask = (Vector256.LessThan(block, Vector256.Create((byte)0x20))
                | Vector256.Equals(block, Vector256.Create((byte)'"'))
                | Vector256.Equals(block, Vector256.Create((byte)'\\'))).ExtractMostSignificantBits();
            if (mask != 0)
            {
                j += BitOperations.TrailingZeroCount(mask);
                if (Unsafe.Add(ref s, j) == (byte)'"')
                {
                    escaped = false;
                    return j + 1;
                }
            }
            else
            {
                j += Vector256<byte>.Count;
            }
        }
        else if (Vector128.IsHardwareAccelerated && j + Vector128<byte>.Count <= n)
        {
            var block = Vector128.LoadUnsafe(ref s, (nuint)j);
            var mask = (Vector128.LessThan(block, Vector128.Create((byte)0x20))
                | Vector128.Equals(block, Vector128.Create((byte)'"'))
                | Vector128.Equals(block, Vector128.Create((byte)'\\'))).ExtractMostSignificantBits();
            if (mask != 0)
            {
                j += BitOperations.TrailingZeroCount(mask);
                if (Unsafe.Add(ref s, j) == (byte)'"')
                {
                    escaped = false;
                    return j + 1;
                }
            }
            else
            {
                j += Vector128<byte>.Count;
            }
        }
        return StringRest(MemoryMarshal.CreateReadOnlySpan(ref s, n), j, out escaped);
    }

    // The rest of a string from j (inside it; every byte before j is plain content).
    private static int StringRest(ReadOnlySpan<byte> input, int j, out bool escaped)
    {
        escaped = false;
        while (true)
        {
            var k = input[j..].IndexOfAny(s_stringSpecial);
            if (k < 0) return Truncated;
            j += k;
            var b = input[j];
            if (b == (byte)'"') return j + 1;
            if (b != (byte)'\\') return Bad; // a control character
            escaped = true;
            if (++j >= input.Length) return Truncated;
            switch (input[j])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    j++;
                    break;
                case (byte)'u':
                    for (var h = 0; h < 4; h++)
                    {
                        if (++j >= input.Length) return Truncated;
                        if (!char.IsAsciiHexDigit((char)input[j])) return Bad;
                    }
                    j++;
                    break;
                default:
                    return Bad;
            }
        }
    }

    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? ; what may follow is checked by the caller.
    // At the end of a truncated input a number may continue, so it is not complete.
    private static int Number(ref byte s, int i, int n, bool final)
    {
        if (Unsafe.Add(ref s, i) == (byte)'-' && ++i >= n) return Truncated;
        var b = Unsafe.Add(ref s, i);
        if (b == (byte)'0') i++;
        else if ((uint)(b - '1') <= 8) i = Digits(ref s, i + 1, n);
        else return Bad;

        if (i < n && Unsafe.Add(ref s, i) == (byte)'.')
        {
            if (++i >= n) return Truncated;
            if ((uint)(Unsafe.Add(ref s, i) - '0') > 9) return Bad;
            i = Digits(ref s, i + 1, n);
        }
        if (i < n && (Unsafe.Add(ref s, i) | 0x20) == (byte)'e')
        {
            if (++i >= n) return Truncated;
            if (Unsafe.Add(ref s, i) is (byte)'+' or (byte)'-' && ++i >= n) return Truncated;
            if ((uint)(Unsafe.Add(ref s, i) - '0') > 9) return Bad;
            i = Digits(ref s, i + 1, n);
        }
        if (i >= n && !final) return Truncated;
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Digits(ref byte s, int i, int n)
    {
        while (i < n && (uint)(Unsafe.Add(ref s, i) - '0') <= 9) i++;
        return i;
    }

    private static int Literal(ReadOnlySpan<byte> input, int i, ReadOnlySpan<byte> literal)
    {
        var rest = input[i..];
        if (rest.Length >= literal.Length) return rest.StartsWith(literal) ? i + literal.Length : Bad;
        return literal.StartsWith(rest) ? Truncated : Bad;
    }

    private static int FindName(ReadOnlySpan<byte> name, byte[][] names)
    {
        for (var i = 0; i < names.Length; i++)
            if (name.SequenceEqual(names[i])) return i;
        return -1;
    }

    // An escaped name is compared unescaped, by the framework's own unescaping. A name escaping an
    // unpaired surrogate is not a Unicode string: no name selector can select it (a wildcard can).
    private static int FindEscapedName(ReadOnlySpan<byte> quoted, byte[][] names)
    {
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        try
        {
            for (var i = 0; i < names.Length; i++)
                if (reader.ValueTextEquals(names[i])) return i;
        }
        catch (InvalidOperationException)
        {
            // unpaired surrogate escape
        }
        return -1;
    }
}
