using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using Sightline.Redaction.Json;

namespace Sightline.Redaction.Tests.Json.Reference;

/// <summary>
/// main's scanner as of c75a1d2 (recursive descent), kept verbatim as the oracle the current
/// scanner must match byte for byte (see ScannerDifferentialTests); also compiled into the benchmark
/// project as the baseline of LoadBodyRedactionBenchmarks' Base* methods.
/// The streaming redaction pass: a validating recursive-descent scan over the UTF-8 bytes that
/// follows <see cref="RedactionAutomaton"/> from node to node. Unchanged bytes are never
/// re-written: the output receives the raw input range between two redacted values in one copy.
/// </summary>
/// <remarks>
/// It accepts exactly what <see cref="Utf8JsonReader"/> accepts with default options (RFC 8259
/// grammar, no comments or trailing commas, no byte order mark, string contents checked for
/// control characters and escapes but not for UTF-8 validity) and enforces the same depth limit,
/// root containers being at depth 1. Subtrees in the dead state are still fully validated.
/// With a truncated input the scan stops at the end of the last complete token: the output is the
/// redacted beginning and never contains a partial token; a selected value that the cut falls in
/// is replaced as a whole.
/// </remarks>
internal ref struct MainRedactionScanner
{
    private static readonly byte[] s_replacement = "\"[CLIENT_REDACTED]\""u8.ToArray();
    private static readonly byte[] s_escapedReplacement = "\\\"[CLIENT_REDACTED]\\\""u8.ToArray();

    // String bytes that end the fast scan: the closing quote, an escape, or a control character (invalid).
    private static readonly SearchValues<byte> s_stringSpecial = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"u8);

    private readonly ReadOnlySpan<byte> _input;
    private readonly IBufferWriter<byte> _output;
    private readonly AutomatonState[] _states;
    private readonly int _maxDepth;
    private readonly bool _final;
    private readonly bool _escape;
    private int _pos;
    private int _copied;
    private int _cut;
    private bool _cutInsideRedaction;
    private ScanStop _stop;

    private MainRedactionScanner(ReadOnlySpan<byte> input, IBufferWriter<byte> output, AutomatonState[] states, int maxDepth, bool final, bool escape)
    {
        _escape = escape;
        _input = input;
        _output = output;
        _states = states;
        _maxDepth = maxDepth;
        _final = final;
    }

    /// <summary>Redacts <paramref name="input"/> into <paramref name="output"/> (with <paramref name="escape"/>, as JSON string content: see <see cref="JsonStringEscaper"/>).</summary>
    public static JsonRedactionResult Run(ReadOnlySpan<byte> input, IBufferWriter<byte> output, RedactionAutomaton automaton, int maxDepth, bool truncated, bool escape = false)
    {
        var scanner = new MainRedactionScanner(input, output, automaton.States, maxDepth, !truncated, escape);
        return scanner.Document(automaton.Initial);
    }

    private JsonRedactionResult Document(int initial)
    {
        bool ok;
        if (!SkipWhitespace()) ok = EndOfInput(_pos);
        else if (_states[initial].IsMatch) ok = Redact(0);
        else ok = Value(initial, 0);
        if (ok && SkipWhitespace()) ok = Fail(ScanStop.Invalid); // trailing content

        switch (ok ? ScanStop.None : _stop)
        {
            case ScanStop.None:
                Emit(_input[_copied..]);
                return new(JsonRedactionStatus.Redacted, null, !_final);
            case ScanStop.EndOfInput:
                if (!_cutInsideRedaction) Emit(_input[_copied.._cut]);
                return new(JsonRedactionStatus.Redacted, null, true);
            case ScanStop.TooDeep:
                return new(JsonRedactionStatus.DepthExceeded, $"JSON nested deeper than {_maxDepth} levels", !_final);
            default:
                return new(JsonRedactionStatus.InvalidJson, "invalid JSON", !_final);
        }
    }

    // Unchanged input goes to the output in one copy, or one escaping copy (the fused redact + escape of RedactEscaped).
    private readonly void Emit(ReadOnlySpan<byte> bytes)
    {
        if (_escape) MainJsonStringEscaper.Escape(bytes, _output);
        else _output.Write(bytes);
    }

    // A node in state `state` (neither dead nor selected) at the current position.
    private bool Value(int state, int depth)
    {
        var b = _input[_pos];
        if (b == (byte)'{') return Object(_states[state], depth + 1);
        if (b == (byte)'[') return Array(_states[state], depth + 1);
        return Primitive();
    }

    private bool Child(int state, int depth)
    {
        if (state == RedactionAutomaton.Dead) return Skip(depth);
        if (_states[state].IsMatch) return Redact(depth);
        return Value(state, depth);
    }

    // Copies the input up to the value, writes the replacement, and validates the value without copying it.
    private bool Redact(int depth)
    {
        Emit(_input[_copied.._pos]);
        _output.Write(_escape ? s_escapedReplacement : s_replacement);
        if (!Skip(depth))
        {
            if (_stop == ScanStop.EndOfInput) _cutInsideRedaction = true;
            return false;
        }
        _copied = _pos;
        return true;
    }

    private bool Object(AutomatonState state, int depth)
    {
        if (depth > _maxDepth) return Fail(ScanStop.TooDeep);
        _pos++;
        if (!SkipWhitespace()) return EndOfInput(_pos);
        if (_input[_pos] == (byte)'}')
        {
            _pos++;
            return true;
        }
        var names = state.Names;
        while (true)
        {
            var nameStart = _pos;
            if (_input[nameStart] != (byte)'"') return Fail(ScanStop.Invalid);
            if (!String(out var escaped)) return false;
            var nameEnd = _pos;
            if (!SkipWhitespace()) return EndOfInput(nameStart);
            if (_input[_pos] != (byte)':') return Fail(ScanStop.Invalid);
            _pos++;
            if (!SkipWhitespace()) return EndOfInput(_pos);

            var target = state.OtherName;
            if (names.Length != 0)
            {
                var quoted = _input[nameStart..nameEnd];
                var index = escaped ? FindEscapedName(quoted, names) : FindName(quoted[1..^1], names);
                if (index >= 0) target = state.NameTargets[index];
            }
            if (!Child(target, depth)) return false;

            if (!SkipWhitespace()) return EndOfInput(_pos);
            var b = _input[_pos++];
            if (b == (byte)'}') return true;
            if (b != (byte)',') return Fail(ScanStop.Invalid);
            if (!SkipWhitespace()) return EndOfInput(_pos);
        }
    }

    private bool Array(AutomatonState state, int depth)
    {
        if (depth > _maxDepth) return Fail(ScanStop.TooDeep);
        _pos++;
        if (!SkipWhitespace()) return EndOfInput(_pos);
        if (_input[_pos] == (byte)']')
        {
            _pos++;
            return true;
        }
        var index = 0;
        while (true)
        {
            if (!Child(state.ElementTarget(index++), depth)) return false;

            if (!SkipWhitespace()) return EndOfInput(_pos);
            var b = _input[_pos++];
            if (b == (byte)']') return true;
            if (b != (byte)',') return Fail(ScanStop.Invalid);
            if (!SkipWhitespace()) return EndOfInput(_pos);
        }
    }

    // Validates a value no path can select anything in, without looking at names.
    private bool Skip(int depth)
    {
        var b = _input[_pos];
        if (b == (byte)'{') return SkipObject(depth + 1);
        if (b == (byte)'[') return SkipArray(depth + 1);
        return Primitive();
    }

    private bool SkipObject(int depth)
    {
        if (depth > _maxDepth) return Fail(ScanStop.TooDeep);
        _pos++;
        if (!SkipWhitespace()) return EndOfInput(_pos);
        if (_input[_pos] == (byte)'}')
        {
            _pos++;
            return true;
        }
        while (true)
        {
            var nameStart = _pos;
            if (_input[nameStart] != (byte)'"') return Fail(ScanStop.Invalid);
            if (!String(out _)) return false;
            if (!SkipWhitespace()) return EndOfInput(nameStart);
            if (_input[_pos] != (byte)':') return Fail(ScanStop.Invalid);
            _pos++;
            if (!SkipWhitespace()) return EndOfInput(_pos);
            if (!Skip(depth)) return false;

            if (!SkipWhitespace()) return EndOfInput(_pos);
            var b = _input[_pos++];
            if (b == (byte)'}') return true;
            if (b != (byte)',') return Fail(ScanStop.Invalid);
            if (!SkipWhitespace()) return EndOfInput(_pos);
        }
    }

    private bool SkipArray(int depth)
    {
        if (depth > _maxDepth) return Fail(ScanStop.TooDeep);
        _pos++;
        if (!SkipWhitespace()) return EndOfInput(_pos);
        if (_input[_pos] == (byte)']')
        {
            _pos++;
            return true;
        }
        while (true)
        {
            if (!Skip(depth)) return false;

            if (!SkipWhitespace()) return EndOfInput(_pos);
            var b = _input[_pos++];
            if (b == (byte)']') return true;
            if (b != (byte)',') return Fail(ScanStop.Invalid);
            if (!SkipWhitespace()) return EndOfInput(_pos);
        }
    }

    private bool Primitive()
    {
        var b = _input[_pos];
        if (b == (byte)'"') return String(out _);
        if (b == (byte)'-' || (uint)(b - '0') <= 9) return Number();
        if (b == (byte)'t') return Literal("true"u8);
        if (b == (byte)'f') return Literal("false"u8);
        if (b == (byte)'n') return Literal("null"u8);
        return Fail(ScanStop.Invalid);
    }

    // A string at the current position (on its opening quote); `escaped` tells whether it holds a backslash.
    private bool String(out bool escaped)
    {
        escaped = false;
        var start = _pos;
        var input = _input;
        var i = start + 1;
        while (true)
        {
            // Most strings are short: one 16-byte probe finds the end of most of them (the closing
            // quote, an escape or a control character) before the general vectorized search.
            var b = (byte)0;
            if (Vector128.IsHardwareAccelerated && i + Vector128<byte>.Count <= input.Length)
            {
                var block = Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(input), (nuint)i);
                var mask = (Vector128.LessThan(block, Vector128.Create((byte)0x20))
                    | Vector128.Equals(block, Vector128.Create((byte)'"'))
                    | Vector128.Equals(block, Vector128.Create((byte)'\\'))).ExtractMostSignificantBits();
                if (mask != 0)
                {
                    i += BitOperations.TrailingZeroCount(mask);
                    b = input[i];
                }
                else
                {
                    i += Vector128<byte>.Count;
                    var k = input[i..].IndexOfAny(s_stringSpecial);
                    if (k < 0) return EndOfInput(start);
                    i += k;
                    b = input[i];
                }
            }
            else
            {
                var limit = Math.Min(input.Length, i + 16);
                while (i < limit && (b = input[i]) >= 0x20 && b != (byte)'"' && b != (byte)'\\') i++;
                if (i == limit)
                {
                    var k = input[i..].IndexOfAny(s_stringSpecial);
                    if (k < 0) return EndOfInput(start);
                    i += k;
                    b = input[i];
                }
            }
            if (b == (byte)'"')
            {
                _pos = i + 1;
                return true;
            }
            if (b != (byte)'\\') return Fail(ScanStop.Invalid); // a control character
            escaped = true;
            if (++i >= input.Length) return EndOfInput(start);
            switch (input[i])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    i++;
                    break;
                case (byte)'u':
                    for (var h = 0; h < 4; h++)
                    {
                        if (++i >= input.Length) return EndOfInput(start);
                        if (!char.IsAsciiHexDigit((char)input[i])) return Fail(ScanStop.Invalid);
                    }
                    i++;
                    break;
                default:
                    return Fail(ScanStop.Invalid);
            }
        }
    }

    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? ; what may follow is checked by the caller.
    // At the end of a truncated input a number may continue, so it is not complete.
    private bool Number()
    {
        var input = _input;
        var start = _pos;
        var i = start;
        if (input[i] == (byte)'-' && ++i >= input.Length) return EndOfInput(start);
        var b = input[i];
        if (b == (byte)'0') i++;
        else if ((uint)(b - '1') <= 8) i = Digits(input, i + 1);
        else return Fail(ScanStop.Invalid);

        if (i < input.Length && input[i] == (byte)'.')
        {
            if (++i >= input.Length) return EndOfInput(start);
            if ((uint)(input[i] - '0') > 9) return Fail(ScanStop.Invalid);
            i = Digits(input, i + 1);
        }
        if (i < input.Length && (input[i] | 0x20) == (byte)'e')
        {
            if (++i >= input.Length) return EndOfInput(start);
            if (input[i] is (byte)'+' or (byte)'-' && ++i >= input.Length) return EndOfInput(start);
            if ((uint)(input[i] - '0') > 9) return Fail(ScanStop.Invalid);
            i = Digits(input, i + 1);
        }
        if (i >= input.Length && !_final) return EndOfInput(start);
        _pos = i;
        return true;
    }

    private static int Digits(ReadOnlySpan<byte> input, int i)
    {
        while (i < input.Length && (uint)(input[i] - '0') <= 9) i++;
        return i;
    }

    private bool Literal(ReadOnlySpan<byte> literal)
    {
        var rest = _input[_pos..];
        if (rest.Length >= literal.Length)
        {
            if (!rest.StartsWith(literal)) return Fail(ScanStop.Invalid);
            _pos += literal.Length;
            return true;
        }
        return literal.StartsWith(rest) ? EndOfInput(_pos) : Fail(ScanStop.Invalid);
    }

    // Skips JSON whitespace; false at the end of the input (the caller decides where the cut is).
    // Compact JSON has none: the common case is one inlined comparison.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool SkipWhitespace()
    {
        var i = _pos;
        if ((uint)i < (uint)_input.Length && _input[i] > (byte)' ') return true;
        return SkipWhitespaceSlow();
    }

    private bool SkipWhitespaceSlow()
    {
        var input = _input;
        var i = _pos;
        while ((uint)i < (uint)input.Length)
        {
            if (input[i] is not ((byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r'))
            {
                _pos = i;
                return true;
            }
            i++;
        }
        _pos = i;
        return false;
    }

    // The input ended inside a token that starts at `cut` (or between tokens, at `cut`).
    private bool EndOfInput(int cut)
    {
        if (_final) return Fail(ScanStop.Invalid);
        _cut = cut;
        _stop = ScanStop.EndOfInput;
        return false;
    }

    private bool Fail(ScanStop stop)
    {
        _stop = stop;
        return false;
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
