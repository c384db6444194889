using System.Text;
using System.Text.Json;

namespace Sightline.Redaction.Tests.Json;

/// <summary>
/// The automaton-driven scanner (the fast path) against the reader-based pass and against
/// <see cref="Utf8JsonReader"/>'s own verdict on what is JSON.
/// </summary>
public sealed class RedactionScannerTests
{
    private const string R = "\"[CLIENT_REDACTED]\"";

    private static readonly string[] s_streamingPaths =
    [
        "$.a", "$.a.b", "$..email", "$[*].zip", "$.b[0]", "$.a[1:3]", "$..[0]", "$.*.email", "$['x y']", "$..é",
        "$.a[::2]", "$..*.zip", "$.b[*][*]", "$.email", "$..a..b", "$[1:]", "$..c[2]", "$['a','b'].c",
    ];

    [Fact]
    public void Redact_RandomDocuments_ScannerOutputEqualsReaderPassByteForByte()
    {
        var random = new Random(20261123);
        for (var iteration = 0; iteration < 600; iteration++)
        {
            var json = RandomJsonText.Create(random);
            var paths = Enumerable.Range(0, random.Next(1, 4)).Select(_ => s_streamingPaths[random.Next(s_streamingPaths.Length)]).ToArray();
            var scanner = JsonRedactor.Create(paths);
            var readerPass = JsonRedactor.Create(paths, RedactionDefaults.MaxJsonDepth, useScanner: false);

            var (result, output) = scanner.Run(json);
            var (expectedResult, expected) = readerPass.Run(json);

            Assert.True(scanner.UsesScanner);
            Assert.False(readerPass.UsesScanner);
            Assert.True(expectedResult.Succeeded, json);
            Assert.True(result.Succeeded, json);
            Assert.True(expected == output, $"paths {string.Join(", ", paths)}\n{json}\nscanner {output}\nreader  {expected}");
        }
    }

    [Fact]
    public void Redact_SingleSpaceSeparatorsCutAtEveryByte_SameAsReaderPass()
    {
        // ", " and ": " separators (Python's json.dumps, the load benchmark's body), and one space
        // before the end of a truncated input, before a second space or before other whitespace:
        // the same verdict as the reader pass at every cut, and never the redacted value.
        const string json = "{\"id\": \"o-1\", \"items\": [{\"sku\": \"a\", \"secret\": 1}, {\"secret\": [true, null]}], \"n\": -1.5e3 , \"w\":  \t\"x\" }";
        var bytes = Encoding.UTF8.GetBytes(json);
        string[] paths = ["$.items[*].secret", "$.w"];
        var scanner = JsonRedactor.Create(paths);
        var readerPass = JsonRedactor.Create(paths, RedactionDefaults.MaxJsonDepth, useScanner: false);
        for (var cut = 1; cut <= bytes.Length; cut++)
        {
            var truncated = cut < bytes.Length;
            var (result, output) = scanner.Run(bytes[..cut], truncated);
            var (expectedResult, expected) = readerPass.Run(bytes[..cut], truncated);

            Assert.Equal(expectedResult, result);
            // Cut short, both passes emit a prefix of the whole redaction (they may differ in whether a
            // trailing separator is kept); whole, they are equal byte for byte.
            if (truncated) Assert.StartsWith(output, readerPass.Run(json).Output, StringComparison.Ordinal);
            else Assert.True(expected == output, $"scanner {output} reader {expected}");
            Assert.DoesNotContain("\"x\"", output, StringComparison.Ordinal);
        }
        Assert.Equal("{\"id\": \"o-1\", \"items\": [{\"sku\": \"a\", \"secret\": " + R + "}, {\"secret\": " + R + "}], \"n\": -1.5e3 , \"w\":  \t" + R + " }", scanner.Run(json).Output);
    }

    [Fact]
    public void Redact_StringEndsAtEveryOffsetOfTheVectorProbe_AcceptsExactlyWhatUtf8JsonReaderAccepts()
    {
        // The scanner finds a string's end with a 16-byte probe, then a vectorized search: a quote,
        // backslash or control character at every offset within and beyond the first block, with the
        // input ending right after it or a few bytes later, must be judged as Utf8JsonReader judges it.
        var redactor = JsonRedactor.Create(["$.a"]);
        string[] specials = ["\"", "\\\"", "\\n", "\\u0041", "\u0001", "\t", "\\", "\\x", "\u007f", "é"];
        for (var length = 0; length < 40; length++)
        {
            foreach (var special in specials)
            {
                for (var tail = 0; tail < 20; tail++)
                {
                    var json = "{\"b\":\"" + new string('x', length) + special + new string('y', tail) + "\",\"a\":1}";
                    var bytes = Encoding.UTF8.GetBytes(json);
                    var valid = IsJson(bytes);
                    var (result, output) = redactor.Run(json);
                    Assert.True(valid == result.Succeeded, json);
                    if (valid) Assert.Equal(json[..^2] + R + "}", output);
                }
            }
        }
    }

    private static bool IsJson(byte[] utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            while (reader.Read())
            {
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [Fact]
    public void Redact_MutatedDocuments_AcceptsExactlyWhatUtf8JsonReaderAccepts()
    {
        var random = new Random(7);
        ReadOnlySpan<byte> alphabet = "{}[],:\"\\ -+.eE0123456789tfnulx\u0001\t\n/"u8;
        var accepted = 0;
        for (var iteration = 0; iteration < 3000; iteration++)
        {
            var bytes = new List<byte>(Encoding.UTF8.GetBytes(RandomJsonText.Create(random)));
            for (var m = random.Next(1, 3); m > 0; m--)
            {
                var at = random.Next(bytes.Count + 1);
                switch (random.Next(3))
                {
                    case 0 when at < bytes.Count: bytes.RemoveAt(at); break;
                    case 1 when at < bytes.Count: bytes[at] = alphabet[random.Next(alphabet.Length)]; break;
                    default: bytes.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                }
            }
            var json = bytes.ToArray();
            var maxDepth = random.Next(2) == 0 ? 3 : RedactionDefaults.MaxJsonDepth;
            var redactor = JsonRedactor.Create(["$..email", "$.a[1:]"], maxDepth);

            var (result, _) = redactor.Run(json);
            var (readerAccepts, readerTooDeep) = ReaderVerdict(json, maxDepth);

            var text = Encoding.UTF8.GetString(json);
            Assert.True(readerAccepts == result.Succeeded, $"reader accepts: {readerAccepts}, scanner: {result.Status} for {text}");
            if (!readerAccepts)
                Assert.True(readerTooDeep == (result.Status == JsonRedactionStatus.DepthExceeded), $"reader too deep: {readerTooDeep}, scanner: {result.Status} for {text}");
            if (readerAccepts) accepted++;
        }
        Assert.InRange(accepted, 100, 2900); // both verdicts were exercised
    }

    [Theory]
    [InlineData("\uFEFF{}")]
    [InlineData("01")]
    [InlineData("1.")]
    [InlineData("1.e5")]
    [InlineData("-")]
    [InlineData("+1")]
    [InlineData(".5")]
    [InlineData("1e+")]
    [InlineData("[1,]")]
    [InlineData("{\"a\":1,}")]
    [InlineData("[1 2]")]
    [InlineData("{\"a\" 1}")]
    [InlineData("{1:2}")]
    [InlineData("{\"a\":1}}")]
    [InlineData("\"\\x\"")]
    [InlineData("\"\\u12G4\"")]
    [InlineData("\"tab\there\"")]
    [InlineData("tru")]
    [InlineData("[truex]")]
    [InlineData("[1x]")]
    [InlineData("[1/]")]
    [InlineData("\u000b1")]
    [InlineData("  ")]
    [InlineData("\"open")]
    [InlineData("[-0, 1E+5, 2e-3, 0.5]")]
    [InlineData("\"\\/\\b\\f\\n\\r\\t\\\"\\\\\\u00FF\u007f\"")]
    [InlineData(" 1 ")]
    [InlineData("[[], {}, [ ], { } ]")]
    public void Redact_EdgeInput_AcceptedExactlyWhenUtf8JsonReaderAcceptsIt(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        var (result, output) = JsonRedactor.Create(["$.zzz"]).Run(bytes);

        Assert.Equal(ReaderVerdict(bytes, RedactionDefaults.MaxJsonDepth).Accepts, result.Succeeded);
        if (result.Succeeded) Assert.Equal(json, output);
        else Assert.Equal(JsonRedactionStatus.InvalidJson, result.Status);
    }

    [Fact]
    public void Redact_InvalidUtf8InStrings_IsCopiedLikeUtf8JsonReaderAcceptsIt()
    {
        byte[] json = [(byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}'];

        var output = new System.Buffers.ArrayBufferWriter<byte>();
        var result = JsonRedactor.Create(["$.b"]).Redact(json, output);

        Assert.True(ReaderVerdict(json, 64).Accepts);
        Assert.True(result.Succeeded);
        Assert.Equal(json, output.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData("[[[1]]]", true)]
    [InlineData("[[[[1]]]]", false)]
    [InlineData("{\"a\":{\"b\":{\"c\":1}}}", true)]
    [InlineData("{\"z\":[[[{}]]]}", false)] // too deep inside a subtree no path reaches: still checked
    [InlineData("{\"a\":[[{\"x\":1}]]}", false)]
    public void Redact_DepthLimit_CountsRootContainerAsOne(string json, bool accepted)
    {
        var (result, _) = JsonRedactor.Create(["$.a.b"], maxDepth: 3).Run(json);

        Assert.Equal(accepted, result.Succeeded);
        if (!accepted) Assert.Equal(JsonRedactionStatus.DepthExceeded, result.Status);
        Assert.Equal(ReaderVerdict(Encoding.UTF8.GetBytes(json), 3).Accepts, result.Succeeded);
    }

    [Fact]
    public void Redact_DepthLimitAboveScannerRange_UsesReaderPass()
    {
        var redactor = JsonRedactor.Create(["$..k"], maxDepth: 1000);
        var json = new string('[', 500) + "{\"k\":1}" + new string(']', 500);

        var (result, output) = redactor.Run(json);

        Assert.False(redactor.UsesScanner);
        Assert.True(result.Succeeded);
        Assert.Equal(new string('[', 500) + "{\"k\":" + R + "}" + new string(']', 500), output);
    }

    [Fact]
    public void Redact_ValuesAtEveryCopyBoundary_KeepEverythingElseVerbatim()
    {
        const string json = " [ 1 ,\"two\",\n{ \"x\" : [ ] } , [ true ] ,null ] \n";

        var (result, output) = JsonRedactor.Create(["$[*]"]).Run(json);

        Assert.True(result.Succeeded);
        Assert.Equal($" [ {R} ,{R},\n{R} , {R} ,{R} ] \n", output);
    }

    [Fact]
    public void Redact_FirstAndLastMembers_CopyBetweenThem()
    {
        const string json = "{\"first\":{\"deep\":[1,2]},\"mid\":\"keep\",\"last\":-12.5e3}";

        var (_, output) = JsonRedactor.Create(["$.first", "$.last"]).Run(json);

        Assert.Equal($"{{\"first\":{R},\"mid\":\"keep\",\"last\":{R}}}", output);
    }

    [Fact]
    public void Redact_RootSelectedWithSurroundingWhitespace_KeepsWhitespace()
    {
        Assert.Equal($"\n {R}\t", JsonRedactor.Create(["$"]).Run("\n {\"a\":[1]}\t").Output);
    }

    [Fact]
    public void Redact_RootSelectedButInvalid_FailsClosed()
    {
        Assert.Equal(JsonRedactionStatus.InvalidJson, JsonRedactor.Create(["$"]).Run("{\"a\":[1}").Result.Status);
    }

    [Fact]
    public void Redact_EscapedNames_MatchOnlyWhenUnescapedNameEquals()
    {
        var redactor = JsonRedactor.Create(["$.email", "$['a\"b']", "$['😀']", "$.x.y"]);

        var (_, output) = redactor.Run("""{"e\u006dail":1,"emai":2,"a\"b":3,"\uD83D\uDE00":4,"x":{"\u0079":5,"\u0079z":6}}""");

        Assert.Equal($$$"""{"e\u006dail":{{{R}}},"emai":2,"a\"b":{{{R}}},"\uD83D\uDE00":{{{R}}},"x":{"\u0079":{{{R}}},"\u0079z":6}}""", output);
    }

    [Fact]
    public void Redact_NameEscapingUnpairedSurrogate_IsReachableByWildcardOnly()
    {
        var redactor = JsonRedactor.Create(["$.a", "$.*.secret"]);

        var (result, output) = redactor.Run("""{"\uD800":{"secret":1,"other":2},"a":3}""");

        Assert.True(result.Succeeded);
        Assert.Equal($$$"""{"\uD800":{"secret":{{{R}}},"other":2},"a":{{{R}}}}""", output);
    }

    [Theory]
    [InlineData("$.a[1]", true)]
    [InlineData("$.a[2:]", true)]
    [InlineData("$.a[1::3]", true)]
    [InlineData("$.a[0:5:2]", true)]
    [InlineData("$.a[3:9:4]", true)]
    [InlineData("$.a[7,1:4]", true)]
    [InlineData("$.a[::5]", true)]
    [InlineData("$..[2]", true)]
    [InlineData("$.a[3:3]", false)]
    public void Redact_IndexAndSliceSelectors_AgreeWithReaderPassOverLongArrays(string path, bool selectsSome)
    {
        var json = "{\"a\":[" + string.Join(",", Enumerable.Range(0, 40).Select(i => i % 7 == 0 ? $"[{i},{i + 1},{i + 2}]" : i.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]}";
        var scanner = JsonRedactor.Create([path]);

        var output = scanner.Run(json).Output;

        Assert.True(scanner.UsesScanner);
        Assert.Equal(JsonRedactor.Create([path], RedactionDefaults.MaxJsonDepth, useScanner: false).Run(json).Output, output);
        Assert.Equal(selectsSome, output.Contains(R, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("$.a[5000]")]
    [InlineData("$.a[0:100000]")]
    [InlineData("$.a[::2000]")]
    public void Redact_SelectorsTooLargeForTheAutomaton_FallBackToReaderPass(string path)
    {
        var redactor = JsonRedactor.Create([path]);
        var json = "{\"a\":[" + string.Join(",", Enumerable.Range(0, 5001)) + "]}";

        var (result, output) = redactor.Run(json);

        Assert.False(redactor.UsesScanner);
        Assert.True(result.Succeeded);
        Assert.Contains(R, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_ManyDescendantPaths_AgreeWithReaderPass()
    {
        string[] paths = ["$..a..b..c", "$..b..a", "$..c..a..b", "$..*.a", "$..[1]..c"];
        var random = new Random(3);
        for (var i = 0; i < 100; i++)
        {
            var json = RandomJsonText.Create(random).Replace("email", "a", StringComparison.Ordinal).Replace("zip", "b", StringComparison.Ordinal);

            Assert.Equal(JsonRedactor.Create(paths, RedactionDefaults.MaxJsonDepth, useScanner: false).Run(json).Output, JsonRedactor.Create(paths).Run(json).Output);
        }
    }

    internal static (bool Accepts, bool TooDeep) ReaderVerdict(byte[] json, int maxDepth)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth });
            while (reader.Read())
            {
            }
            return (true, false);
        }
        catch (JsonException e)
        {
            return (false, e.Message.Contains("maximum configured depth", StringComparison.Ordinal));
        }
    }
}
