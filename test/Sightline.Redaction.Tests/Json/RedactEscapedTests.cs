using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Sightline.Redaction.Tests.Json;

/// <summary>
/// <see cref="JsonRedactor.RedactEscaped"/> redacts and JSON-string-escapes in one pass: its output
/// must be exactly the escaping of what <see cref="JsonRedactor.Redact"/> writes, with the same
/// result, for every document, path kind (scanner and reader pass), truncation point and output writer.
/// </summary>
public sealed class RedactEscapedTests
{
    // Whitespace between tokens is \n, \r, \t and space (control characters that must be escaped);
    // strings hold escapes, quotes, backslashes, non-ASCII text and runs longer than a vector block.
    private const string Pretty = "{\n\t\"id\": \"o-1\",\r\n  \"items\": [\n    {\"sku\": \"SKU-\\\"1\\\"\", \"secret\": \"s-000001\", \"note\": \"a\\\\b\\nc\\u0001 Grüße 日本 😀\"},\n    {\"sku\": \"pad\", \"secret\": {\"nested\": [1, 2.5e3, true, null]}, \"note\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n  ],\n  \"user\": {\"email\": \"anna@example.com\", \"zip\": \"10115\"}\n}";

    private static readonly string[] s_paths = ["$.items[*].secret", "$.user.email", "$.missing"];

    public static TheoryData<bool> Passes() => new() { true, false };

    [Theory]
    [MemberData(nameof(Passes))]
    public void RedactEscaped_PrettyDocument_IsEscapedRedaction(bool scanner)
    {
        var redactor = JsonRedactor.Create(s_paths, RedactionDefaults.MaxJsonDepth, scanner);

        var (plainResult, plain) = Plain(redactor, Encoding.UTF8.GetBytes(Pretty), false);
        var (escapedResult, escaped) = Escaped(redactor, Encoding.UTF8.GetBytes(Pretty), false, new ArrayBufferWriter<byte>());

        Assert.True(escapedResult.Succeeded);
        Assert.Equal(plainResult, escapedResult);
        Assert.Equal(ReferenceEscape(plain), escaped);
        Assert.Contains("[CLIENT_REDACTED]", Encoding.UTF8.GetString(plain), StringComparison.Ordinal);
        // Between quotes it is a JSON string whose value is the redacted document.
        Assert.Equal(Encoding.UTF8.GetString(plain), JsonSerializer.Deserialize<string>([(byte)'"', .. escaped, (byte)'"']));
    }

    [Theory]
    [MemberData(nameof(Passes))]
    public void RedactEscaped_TruncatedAtEveryByte_IsEscapedRedactionOfTheSamePrefix(bool scanner)
    {
        var redactor = JsonRedactor.Create(s_paths, RedactionDefaults.MaxJsonDepth, scanner);
        var bytes = Encoding.UTF8.GetBytes(Pretty);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var truncated = cut < bytes.Length;
            var (plainResult, plain) = Plain(redactor, bytes[..cut], truncated);
            var (escapedResult, escaped) = Escaped(redactor, bytes[..cut], truncated, new ArrayBufferWriter<byte>());

            Assert.Equal(plainResult, escapedResult);
            if (plainResult.Succeeded) Assert.True(ReferenceEscape(plain).AsSpan().SequenceEqual(escaped), $"cut {cut}");
        }
    }

    [Fact]
    public void RedactEscaped_EveryControlCharacterAsWhitespaceOrInAString_MatchesReference()
    {
        // Control characters are invalid in JSON strings except escaped; as whitespace only \t \n \r are valid.
        // Both outcomes (failure for invalid ones) must match Redact's.
        var redactor = JsonRedactor.Create(["$.b"]);
        for (var c = 0; c < 0x20; c++)
        {
            foreach (var template in new[] { "{\"a\":\"xCy\",\"b\":1}", "{C\"a\":C[1,C2]C,\"b\":\"s\"}", "{\"a\":\"\\u00HH\\\"C\",\"b\":2}", "{\"a\":\"\\u00HH\",\"b\":2}" })
            {
                var json = Encoding.UTF8.GetBytes(template.Replace("C", ((char)c).ToString(), StringComparison.Ordinal)
                    .Replace("HH", c.ToString("x2", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
                var (plainResult, plain) = Plain(redactor, json, false);
                var (escapedResult, escaped) = Escaped(redactor, json, false, new ArrayBufferWriter<byte>());

                Assert.Equal(plainResult, escapedResult);
                if (plainResult.Succeeded) Assert.Equal(ReferenceEscape(plain), escaped);
            }
        }
    }

    [Fact]
    public void RedactEscaped_InvalidUtf8InsideStrings_CopiedUnchangedLikeRedact()
    {
        // The scanner (like Utf8JsonReader) does not validate UTF-8 in strings; escaping must not either.
        byte[] json = [.. "{\"a\":\""u8, 0xFF, 0xC3, .. "\",\"b\":\"x\"}"u8];
        var redactor = JsonRedactor.Create(["$.b"]);

        var (plainResult, plain) = Plain(redactor, json, false);
        var (escapedResult, escaped) = Escaped(redactor, json, false, new ArrayBufferWriter<byte>());

        Assert.True(plainResult.Succeeded);
        Assert.Equal(plainResult, escapedResult);
        Assert.Equal(ReferenceEscape(plain), escaped);
    }

    [Fact]
    public void RedactEscaped_InvalidJson_FailsLikeRedact()
    {
        var redactor = JsonRedactor.Create(["$.a"]);
        foreach (var json in new[] { "{\"a\":1,}", "{\"a\" 1}", "[1 2]", "\"unterminated", "{\"a\":\"x\u0001\"}", "nul" })
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            var (plainResult, _) = Plain(redactor, bytes, false);
            var (escapedResult, _) = Escaped(redactor, bytes, false, new ArrayBufferWriter<byte>());

            Assert.False(escapedResult.Succeeded, json);
            Assert.Equal(plainResult, escapedResult);
        }
    }

    [Fact]
    public void RedactEscaped_NoPaths_EscapesTheInput()
    {
        var bytes = Encoding.UTF8.GetBytes(Pretty);

        var (result, escaped) = Escaped(JsonRedactor.Empty, bytes, false, new ArrayBufferWriter<byte>());

        Assert.True(result.Succeeded);
        Assert.Equal(ReferenceEscape(bytes), escaped);
    }

    [Fact]
    public void RedactEscaped_WriterGivingMinimalSpans_SameOutput()
    {
        // A writer that never gives more room than asked for makes the escaper work in many rounds.
        var redactor = JsonRedactor.Create(s_paths);
        var bytes = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat(Pretty, 20)) + "]");

        var (plainResult, plain) = Plain(redactor, bytes, false);
        var (escapedResult, escaped) = Escaped(redactor, bytes, false, new StingyWriter());

        Assert.True(plainResult.Succeeded);
        Assert.Equal(plainResult, escapedResult);
        Assert.Equal(ReferenceEscape(plain), escaped);
    }

    [Fact]
    public void Escape_EveryOffsetAndLengthOfSpecialBytes_MatchesReference()
    {
        // Quotes, backslashes and control bytes at every position of a vector block and its tail,
        // with multi-byte characters in between.
        var source = new List<byte>();
        for (var i = 0; i < 70; i++)
        {
            source.Add((byte)"a\"b\\c\u0001\n\t\u001f d"[i % 11]);
            if (i % 13 == 0) source.AddRange("é日"u8.ToArray());
        }
        var bytes = source.ToArray();
        for (var start = 0; start < 20; start++)
        {
            for (var length = 0; start + length <= bytes.Length; length++)
            {
                var slice = bytes.AsSpan(start, length);
                var expected = ReferenceEscape(slice);

                var destination = new byte[JsonStringEscaper.MaxEscapedLength(length)];
                var written = JsonStringEscaper.Escape(slice, destination);
                Assert.True(expected.AsSpan().SequenceEqual(destination.AsSpan(0, written)), $"span {start}+{length}");

                var writer = new StingyWriter();
                JsonStringEscaper.Escape(slice, writer);
                Assert.True(expected.AsSpan().SequenceEqual(writer.Written), $"writer {start}+{length}");
            }
        }
    }

    [Fact]
    public void Escape_AllControlCharacters_ExpandSixfoldThroughAWriter()
    {
        var bytes = Enumerable.Repeat((byte)1, 1000).ToArray();
        var writer = new StingyWriter();

        JsonStringEscaper.Escape(bytes, writer);

        Assert.Equal(6000, writer.Written.Length);
        Assert.Equal(new string('\u0001', 1000), JsonSerializer.Deserialize<string>([(byte)'"', .. writer.Written, (byte)'"']));
    }

    [Fact]
    public void Escape_DestinationTooShort_Throws()
        => Assert.Throws<ArgumentException>(() => JsonStringEscaper.Escape("abc"u8, new byte[JsonStringEscaper.MaxEscapedLength(3) - 1]));

    private static (JsonRedactionResult, byte[]) Plain(JsonRedactor redactor, byte[] json, bool truncated)
    {
        var output = new ArrayBufferWriter<byte>();
        var result = redactor.Redact(json, output, truncated);
        return (result, output.WrittenSpan.ToArray());
    }

    private static (JsonRedactionResult, byte[]) Escaped(JsonRedactor redactor, byte[] json, bool truncated, IBufferWriter<byte> output)
    {
        var result = redactor.RedactEscaped(json, output, truncated);
        return (result, output is StingyWriter stingy ? stingy.Written.ToArray() : ((ArrayBufferWriter<byte>)output).WrittenSpan.ToArray());
    }

    // The escaping of the contract, byte by byte.
    private static byte[] ReferenceEscape(ReadOnlySpan<byte> text)
    {
        var output = new List<byte>();
        foreach (var b in text)
        {
            switch (b)
            {
                case (byte)'"': output.AddRange("\\\""u8.ToArray()); break;
                case (byte)'\\': output.AddRange("\\\\"u8.ToArray()); break;
                case (byte)'\n': output.AddRange("\\n"u8.ToArray()); break;
                case (byte)'\r': output.AddRange("\\r"u8.ToArray()); break;
                case (byte)'\t': output.AddRange("\\t"u8.ToArray()); break;
                case (byte)'\b': output.AddRange("\\b"u8.ToArray()); break;
                case (byte)'\f': output.AddRange("\\f"u8.ToArray()); break;
                case < 0x20: output.AddRange(Encoding.ASCII.GetBytes($"\\u{b:x4}")); break;
                default: output.Add(b); break;
            }
        }
        return [.. output];
    }

    /// <summary>Gives exactly the room asked for (a fresh array each time, so writes past it would be caught).</summary>
    private sealed class StingyWriter : IBufferWriter<byte>
    {
        private readonly List<byte> _written = [];
        private byte[] _current = [];

        public ReadOnlySpan<byte> Written => _written.ToArray();

        public void Advance(int count)
        {
            Assert.InRange(count, 0, _current.Length);
            _written.AddRange(_current.AsSpan(0, count).ToArray());
            _current = [];
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => _current = new byte[Math.Max(sizeHint, 1)];

        public Span<byte> GetSpan(int sizeHint = 0) => _current = new byte[Math.Max(sizeHint, 1)];
    }
}
