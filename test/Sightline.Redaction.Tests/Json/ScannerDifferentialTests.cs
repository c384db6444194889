using System.Buffers;
using System.Text;
using Sightline.Redaction.Json;
using Sightline.Redaction.Tests.Json.Reference;

namespace Sightline.Redaction.Tests.Json;

/// <summary>
/// The iterative scanner and the table-driven escaper against main's recursive scanner and
/// escaper (kept verbatim under Reference/): the same result and the same bytes, plain and
/// escaped, for valid, mutated, truncated and too-deep inputs, and for strings, escapes and
/// backslash runs crossing the string probe's and the escaper's block boundaries at every offset.
/// </summary>
public sealed class ScannerDifferentialTests
{
    private static readonly string[] s_paths =
    [
        "$.a", "$.a.b", "$..email", "$[*].zip", "$.b[0]", "$.a[1:3]", "$..[0]", "$.*.email", "$['x y']", "$..é",
        "$.a[::2]", "$..*.zip", "$.b[*][*]", "$.email", "$..a..b", "$[1:]", "$..c[2]", "$['a','b'].c", "$", "$.*",
        "$.items[*].secret", "$.user.email", "$[*].customer.email",
    ];

    // Runs both scanners on the same automaton; asserts equal results and equal bytes.
    private static void AssertSame(JsonRedactor redactor, ReadOnlySpan<byte> input, bool truncated, bool escape, string label)
    {
        Assert.True(redactor.UsesScanner, label);
        var automaton = redactor.Automaton!;
        var expectedOutput = new ArrayBufferWriter<byte>();
        var output = new ArrayBufferWriter<byte>();
        var expected = MainRedactionScanner.Run(input, expectedOutput, automaton, redactor.MaxDepth, truncated, escape);
        var actual = RedactionScanner.Run(input, output, automaton, redactor.MaxDepth, truncated, escape);
        Assert.True(expected == actual, $"{label}: expected {expected}, got {actual}\n{Encoding.UTF8.GetString(input)}");
        if (expected.Succeeded)
        {
            Assert.True(expectedOutput.WrittenSpan.SequenceEqual(output.WrittenSpan),
                $"{label}\n{Encoding.UTF8.GetString(input)}\nexpected {Encoding.UTF8.GetString(expectedOutput.WrittenSpan)}\nactual   {Encoding.UTF8.GetString(output.WrittenSpan)}");
        }
    }

    private static void AssertSameAllModes(JsonRedactor redactor, byte[] input, string label)
    {
        foreach (var escape in new[] { false, true })
            foreach (var truncated in new[] { false, true })
                AssertSame(redactor, input, truncated, escape, $"{label} escape={escape} truncated={truncated}");
    }

    private static JsonRedactor RandomRedactor(Random random, int maxDepth = RedactionDefaults.MaxJsonDepth)
        => JsonRedactor.Create(Enumerable.Range(0, random.Next(1, 4)).Select(_ => s_paths[random.Next(s_paths.Length)]).ToArray(), maxDepth);

    [Fact]
    public void RandomAndMutatedDocuments_SameAsMainScanner()
    {
        var random = new Random(20261123);
        ReadOnlySpan<byte> alphabet = "{}[],:\"\\ -+.eE0123456789tfnulx\u0001\t\n/"u8;
        for (var iteration = 0; iteration < 3000; iteration++)
        {
            var bytes = new List<byte>(Encoding.UTF8.GetBytes(RandomJsonText.Create(random)));
            if (iteration % 2 == 1)
            {
                for (var m = random.Next(1, 3); m > 0 && bytes.Count > 0; m--)
                {
                    var at = random.Next(bytes.Count);
                    switch (random.Next(3))
                    {
                        case 0: bytes[at] = alphabet[random.Next(alphabet.Length)]; break;
                        case 1: bytes.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                        default: bytes.RemoveAt(at); break;
                    }
                }
            }
            var redactor = RandomRedactor(random, iteration % 5 == 0 ? random.Next(1, 8) : RedactionDefaults.MaxJsonDepth);
            AssertSameAllModes(redactor, [.. bytes], $"iteration {iteration}");
        }
    }

    [Fact]
    public void RandomDocumentsCutAtEveryByte_SameAsMainScanner()
    {
        var random = new Random(11);
        for (var iteration = 0; iteration < 150; iteration++)
        {
            var bytes = Encoding.UTF8.GetBytes(RandomJsonText.Create(random));
            var redactor = RandomRedactor(random);
            for (var cut = 0; cut <= bytes.Length; cut++)
            {
                AssertSame(redactor, bytes.AsSpan(0, cut), truncated: true, escape: false, $"iteration {iteration} cut {cut}");
                AssertSame(redactor, bytes.AsSpan(0, cut), truncated: true, escape: true, $"iteration {iteration} cut {cut} escaped");
            }
        }
    }

    [Fact]
    public void LoadBenchmarkBodiesCutAtEveryByte_SameAsMainScanner()
    {
        // The SDK load benchmark's request (json.dumps separators) and echoed response (compact).
        var items = Enumerable.Range(0, 40).Select(i => $"{{\"sku\": \"SKU-{i}\", \"name\": \"Item number {i}\", \"secret\": \"s-{i:D6}\"}}");
        var request = Encoding.UTF8.GetBytes($"{{\"id\": \"o-1\", \"items\": [{string.Join(", ", items)}], \"user\": {{\"email\": \"anna@example.com\", \"zip\": \"10115\"}}}}");
        var response = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(request).Replace(", ", ",", StringComparison.Ordinal).Replace(": ", ":", StringComparison.Ordinal));
        var requestPaths = JsonRedactor.Create(["$.payment.card_number", "$.customer.email", "$.items[*].secret"]);
        var responsePaths = JsonRedactor.Create(["$.user.email", "$.user.addresses[*].zip", "$[*].customer.email"]);
        foreach (var (redactor, body) in new[] { (requestPaths, request), (responsePaths, response), (requestPaths, response), (responsePaths, request) })
        {
            AssertSameAllModes(redactor, body, "whole");
            for (var cut = 0; cut < body.Length; cut++)
            {
                AssertSame(redactor, body.AsSpan(0, cut), truncated: true, escape: false, $"cut {cut}");
                AssertSame(redactor, body.AsSpan(0, cut), truncated: true, escape: true, $"cut {cut} escaped");
            }
        }
    }

    [Fact]
    public void StringsAndEscapesAtEveryOffsetOfTheProbe_SameAsMainScanner()
    {
        // The string probe is 32 (or 16) bytes and the escaper works in 16-byte blocks and 8-byte
        // halves: a quote, an escape, a backslash run or a control character at every position
        // before, across and after those boundaries, in names and values, selected or not.
        string[] specials = ["\\\"", "\\\\", "\\\\\\\"", "\\\\\\\\\"", "\\n", "\\u0041", "\\uD83D\\uDE00", "\u0001", "\t", "\\", "\\x", "\\u00", "é", "\""];
        var redactors = new[] { JsonRedactor.Create(["$.a"]), JsonRedactor.Create(["$.b"]), JsonRedactor.Create(["$.*"]), JsonRedactor.Create(["$.zz"]) };
        for (var length = 0; length < 70; length++)
        {
            foreach (var special in specials)
            {
                foreach (var tail in new[] { 0, 1, 7, 15, 16, 17, 31, 33 })
                {
                    var text = new string('x', length) + special + new string('y', tail);
                    var asValue = Encoding.UTF8.GetBytes("{\"b\":\"" + text + "\",\"a\":1}");
                    var asName = Encoding.UTF8.GetBytes("{\"" + text + "\" : [1, \"" + text + "\"], \"a\":\"" + text + "\"}");
                    foreach (var redactor in redactors)
                    {
                        AssertSame(redactor, asValue, false, false, text);
                        AssertSame(redactor, asValue, false, true, text);
                        AssertSame(redactor, asName, false, false, text);
                        AssertSame(redactor, asName, false, true, text);
                    }
                }
            }
        }
    }

    [Fact]
    public void InputsOfEveryLengthUpTo200_SameAsMainScanner()
    {
        // Documents of every length around the probe and block sizes, cut at every byte.
        var random = new Random(3);
        var redactor = JsonRedactor.Create(["$.a", "$..b", "$.c[*]"]);
        for (var length = 0; length <= 200; length++)
        {
            var sb = new StringBuilder("{\"a\":\"");
            while (sb.Length < length - 10) sb.Append(random.Next(6) switch { 0 => "\\\"", 1 => "\\\\", 2 => "\",\"b\":\"", 3 => "\",\"c\":[1,\"", 4 => "\"],\"d\":\"", _ => "q" });
            var text = sb.ToString();
            // Close whatever is open, as far as that is possible: the result need not be valid.
            var json = Encoding.UTF8.GetBytes(text + (text.EndsWith("[1,\"", StringComparison.Ordinal) ? "\"]}" : "\"}"));
            var input = json.AsSpan(0, Math.Min(length, json.Length)).ToArray();
            AssertSameAllModes(redactor, input, $"length {length}");
            AssertSameAllModes(redactor, json, $"whole {length}");
        }
    }

    [Theory]
    [InlineData(64)]
    [InlineData(256)]
    [InlineData(3)]
    public void DeepNestingAroundTheLimit_SameAsMainScanner(int maxDepth)
    {
        var paths = new[] { "$..a", "$[0][0]", "$..[1]" };
        var redactor = JsonRedactor.Create(paths, maxDepth);
        for (var depth = Math.Max(1, maxDepth - 3); depth <= maxDepth + 2; depth++)
        {
            var arrays = new string('[', depth) + "1,2" + new string(']', depth);
            var objects = string.Concat(Enumerable.Repeat("{\"a\":", depth - 1)) + "{\"a\":1,\"b\":[true]}" + new string('}', depth - 1);
            var mixed = string.Concat(Enumerable.Range(0, depth).Select(i => i % 2 == 0 ? "[0, " : "{\"a\" : ")) + "null"
                + string.Concat(Enumerable.Range(0, depth).Reverse().Select(i => i % 2 == 0 ? "]" : "}"));
            foreach (var json in new[] { arrays, objects, mixed })
            {
                var bytes = Encoding.UTF8.GetBytes(json);
                AssertSameAllModes(redactor, bytes, $"depth {depth}");
                for (var cut = 0; cut < bytes.Length; cut += 1 + (bytes.Length / 50))
                    AssertSame(redactor, bytes.AsSpan(0, cut), truncated: true, escape: false, $"depth {depth} cut {cut}");
            }
        }
    }

    [Fact]
    public void Escape_RandomQuoteAndBackslashDenseText_SameAsMainEscaper()
    {
        // Blocks with only quotes and backslashes take the table path; a control character anywhere
        // in a block sends it to the general path: every mix, at every offset and length.
        var random = new Random(5);
        byte[] alphabet = [(byte)'a', (byte)'"', (byte)'\\', 0xC3, 0xA9, (byte)' ', (byte)'z'];
        for (var iteration = 0; iteration < 400; iteration++)
        {
            var bytes = new byte[random.Next(0, 200)];
            for (var i = 0; i < bytes.Length; i++)
                bytes[i] = random.Next(40) == 0 ? (byte)random.Next(0x20) : alphabet[random.Next(alphabet.Length)];
            for (var start = 0; start < Math.Min(bytes.Length, 17); start++)
            {
                var slice = bytes.AsSpan(start);
                var expected = new byte[MainJsonStringEscaper.MaxEscapedLength(slice.Length)];
                var expectedLength = MainJsonStringEscaper.Escape(slice, expected);
                var actual = new byte[JsonStringEscaper.MaxEscapedLength(slice.Length)];
                var actualLength = JsonStringEscaper.Escape(slice, actual);
                Assert.True(expected.AsSpan(0, expectedLength).SequenceEqual(actual.AsSpan(0, actualLength)), $"iteration {iteration} start {start}");
            }
        }
    }

    [Fact]
    public void Escape_EveryHalfBlockMask_SameAsMainEscaper()
    {
        // All 256 patterns of quotes/backslashes in each 8-byte half of a 16-byte block.
        for (var mask = 0; mask < 256; mask++)
        {
            var bytes = new byte[32];
            for (var i = 0; i < 32; i++)
            {
                var bit = i < 8 ? (mask >> i) & 1 : i < 16 ? ((mask * 37) >> (i - 8)) & 1 : (mask >> (i - 16) % 8) & 1;
                bytes[i] = bit != 0 ? (i % 3 == 0 ? (byte)'\\' : (byte)'"') : (byte)('a' + (i % 26));
            }
            var expected = new byte[MainJsonStringEscaper.MaxEscapedLength(bytes.Length)];
            var expectedLength = MainJsonStringEscaper.Escape(bytes, expected);
            var actual = new byte[JsonStringEscaper.MaxEscapedLength(bytes.Length)];
            var actualLength = JsonStringEscaper.Escape(bytes, actual);
            Assert.True(expected.AsSpan(0, expectedLength).SequenceEqual(actual.AsSpan(0, actualLength)), $"mask {mask}");
        }
    }

    [Fact]
    public void NamesOfEveryLengthAroundTheLengthFilter_SameAsMainScanner()
    {
        // Names are first rejected by length (lengths of 63 bytes or more share one bit): selected and
        // unselected names of nearby lengths, plain and escaped, short and long.
        foreach (var length in new[] { 0, 1, 5, 62, 63, 64, 65, 100 })
        {
            var selected = new string('k', length);
            var redactor = JsonRedactor.Create([$"$['{selected}']", "$.k"]);
            foreach (var other in new[] { length - 1, length, length + 1, 63, 64, 120 })
            {
                if (other < 0) continue;
                var name = new string('k', other);
                var escapedName = other == 0 ? "" : "\\u006b" + new string('k', other - 1);
                var variant = other == 0 ? "" : new string('k', other - 1) + "j";
                var json = Encoding.UTF8.GetBytes($"{{\"{name}\": 1, \"{escapedName}\": [2], \"{variant}\": {{\"k\": 3}}, \"k\": 4}}");
                AssertSameAllModes(redactor, json, $"selected {length} name {other}");
            }
        }
    }

    [Fact]
    public void OutputManyTimesTheInputThroughAWriterGivingExactlyWhatIsAsked_SameAsMainScanner()
    {
        // Small values replaced by the 19-byte replacement: the output outgrows the first span the
        // scanner asks for, many times over, plain and escaped.
        var redactor = JsonRedactor.Create(["$[*]", "$..a"]);
        foreach (var count in new[] { 1, 3, 10, 100, 1000 })
        {
            var json = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Range(0, count).Select(i => i % 3 == 0 ? "1" : i % 3 == 1 ? "\"\\\"\"" : "{}")) + "]");
            foreach (var escape in new[] { false, true })
            {
                foreach (var truncated in new[] { false, true })
                {
                    var expectedOutput = new ArrayBufferWriter<byte>();
                    var expected = MainRedactionScanner.Run(json, expectedOutput, redactor.Automaton!, redactor.MaxDepth, truncated, escape);
                    var output = new ExactWriter();
                    var actual = RedactionScanner.Run(json, output, redactor.Automaton!, redactor.MaxDepth, truncated, escape);
                    Assert.Equal(expected, actual);
                    Assert.True(expectedOutput.WrittenSpan.SequenceEqual(output.Written), $"count {count} escape {escape}");
                }
            }
        }
    }

    // Hands out exactly the size asked for (at least one byte), a new buffer each time.
    private sealed class ExactWriter : IBufferWriter<byte>
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
