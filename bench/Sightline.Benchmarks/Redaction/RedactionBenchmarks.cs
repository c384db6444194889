using System.Buffers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Newtonsoft.Json.Linq;
using Sightline.Redaction;

namespace Sightline.Benchmarks.Redaction;

/// <summary>
/// Our streaming redactor vs (A) a bare Utf8JsonReader pass over the same bytes — the floor —
/// and (B) what competitors do: Newtonsoft JObject.Parse + SelectTokens + replace + ToString.
/// Also measured: the reader-based pass the redactor falls back to (filter paths, very deep limits,
/// very large automata). Min and median are shown because the machines these run on are shared:
/// contention only ever adds time.
/// Run: dotnet run -c Release --project bench/Sightline.Benchmarks -- --filter '*RedactionBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 6, iterationCount: 40)]
public class RedactionBenchmarks
{
    private static readonly string[] s_paths = ["$.user.email", "$.user.addresses[*].zip", "$.orders[*].payment.card_number"];
    private readonly ArrayBufferWriter<byte> _output = new(1 << 21);
    private JsonRedactor _redactor = null!;
    private JsonRedactor _readerPass = null!;
    private byte[] _document = [];
    private string _text = "";

    [Params(2 * 1024, 64 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _redactor = JsonRedactor.Create(s_paths);
        _readerPass = JsonRedactor.Create(s_paths, RedactionDefaults.MaxJsonDepth, useScanner: false);
        if (!_redactor.UsesScanner) throw new InvalidOperationException("The benchmark paths should use the scanner.");
        _document = SampleDocuments.Create(Size);
        _text = Encoding.UTF8.GetString(_document);
    }

    [Benchmark(Baseline = true, Description = "A: Utf8JsonReader pass")]
    public int ReaderPass()
    {
        var reader = new Utf8JsonReader(_document);
        var tokens = 0;
        while (reader.Read()) tokens++;
        return tokens;
    }

    [Benchmark(Description = "Sightline streaming redactor")]
    public int Sightline()
    {
        _output.ResetWrittenCount();
        var result = _redactor.Redact(_document, _output);
        return result.Succeeded ? _output.WrittenCount : -1;
    }

    [Benchmark(Description = "Sightline reader-based pass (fallback)")]
    public int SightlineReaderPass()
    {
        _output.ResetWrittenCount();
        var result = _readerPass.Redact(_document, _output);
        return result.Succeeded ? _output.WrittenCount : -1;
    }

    [Benchmark(Description = "B: Newtonsoft SelectTokens")]
    public int Newtonsoft()
    {
        var root = JObject.Parse(_text);
        foreach (var path in s_paths)
        {
            foreach (var token in root.SelectTokens(path).ToList())
                token.Replace(new JValue(RedactionDefaults.RedactedValue));
        }
        return root.ToString(global::Newtonsoft.Json.Formatting.None).Length;
    }
}
