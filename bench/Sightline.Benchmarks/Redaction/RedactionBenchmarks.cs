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
/// Run: dotnet run -c Release --project bench/Sightline.Benchmarks -- --filter '*RedactionBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class RedactionBenchmarks
{
    private static readonly string[] s_paths = ["$.user.email", "$.user.addresses[*].zip", "$.orders[*].payment.card_number"];
    private readonly ArrayBufferWriter<byte> _output = new(1 << 21);
    private JsonRedactor _redactor = null!;
    private byte[] _document = [];
    private string _text = "";

    [Params(2 * 1024, 64 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _redactor = JsonRedactor.Create(s_paths);
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
