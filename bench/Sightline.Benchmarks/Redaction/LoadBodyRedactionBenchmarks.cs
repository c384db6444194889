using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Sightline.AspNetCore.Transport;
using Sightline.Redaction.Tests.Json.Reference;
using Sightline.Redaction;
using Sightline.Redaction.Json;

namespace Sightline.Benchmarks.Redaction;

/// <summary>
/// The redaction stage of bench/load.sh's <c>full</c> mode in isolation: the exact 2 KiB request
/// body wrk posts (40+ <c>items[*].secret</c> matches) with the sample app's request paths, and the
/// echoed response (camelCase, as the app writes it) with its response paths.
/// Run: dotnet run -c Release --project bench/Sightline.Benchmarks -- --filter '*LoadBodyRedaction*'
/// or, for CPU per call: dotnet Sightline.Benchmarks.dll loop LoadBodyRedactionBenchmarks.RequestBody 1000000
/// </summary>
[MemoryDiagnoser]
public class LoadBodyRedactionBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(16 * 1024);
    private readonly ArrayBufferWriter<byte> _record = new(64 * 1024);
    private readonly RecordJsonWriter _records = new();
    private Utf8JsonWriter _writer = null!;
    private JsonRedactor _request = null!;
    private JsonRedactor _response = null!;
    private byte[] _requestBody = [];
    private byte[] _responseBody = [];
    private RedactionAutomaton _requestAutomaton = null!;
    private RedactionAutomaton _responseAutomaton = null!;

    private static RedactionAutomaton Automaton(JsonRedactor redactor)
        => (RedactionAutomaton)typeof(JsonRedactor).GetField("_automaton", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(redactor)!;

    [GlobalSetup]
    public void Setup()
    {
        // The same paths as samples/Sightline.Samples.Orders.
        _request = JsonRedactor.Create(["$.payment.card_number", "$.customer.email", "$.items[*].secret"]);
        _response = JsonRedactor.Create(["$.user.email", "$.user.addresses[*].zip", "$[*].customer.email"]);
        _requestBody = LoadBody();
        // The app echoes the body through System.Text.Json (compact, same member names).
        _responseBody = JsonSerializer.SerializeToUtf8Bytes(JsonDocument.Parse(_requestBody).RootElement);
        _requestAutomaton = Automaton(_request);
        _responseAutomaton = Automaton(_response);
        _writer = new Utf8JsonWriter(_record, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
    }

    // As bench/load.sh builds it (Python's json.dumps: ", " and ": " separators).
    internal static byte[] LoadBody()
    {
        var items = new List<string>();
        for (var i = 0; i < 40; i++) items.Add($"{{\"sku\": \"SKU-{i}\", \"name\": \"Item number {i}\", \"secret\": \"s-{i:D6}\"}}");
        string Text() => $"{{\"id\": \"o-1\", \"items\": [{string.Join(", ", items)}], \"user\": {{\"email\": \"anna@example.com\", \"zip\": \"10115\"}}}}";
        while (Text().Length < 2048) items.Add($"{{\"sku\": \"pad\", \"name\": \"{new string('x', 20)}\", \"secret\": \"s\"}}");
        return Encoding.UTF8.GetBytes(Text());
    }

    [Benchmark(Baseline = true)]
    public int RequestBody()
    {
        _output.ResetWrittenCount();
        return _request.Redact(_requestBody, _output).Succeeded ? _output.WrittenCount : -1;
    }

    [Benchmark]
    public int ResponseBody()
    {
        _output.ResetWrittenCount();
        return _response.Redact(_responseBody, _output).Succeeded ? _output.WrittenCount : -1;
    }

    /// <summary>Both bodies from capture to record JSON as before the fused pass: redact, then escape into the record.</summary>
    [Benchmark]
    public int BothBodiesRedactThenEscape()
    {
        _record.ResetWrittenCount();
        _writer.Reset(_record);
        _output.ResetWrittenCount();
        _request.Redact(_requestBody, _output);
        _records.WriteUtf8String(_writer, _output.WrittenSpan);
        _output.ResetWrittenCount();
        _response.Redact(_responseBody, _output);
        _records.WriteUtf8String(_writer, _output.WrittenSpan);
        _writer.Flush();
        return _record.WrittenCount;
    }

    /// <summary>Both bodies with the fused pass: redacted straight into a JSON string literal, copied into the record.</summary>
    [Benchmark]
    public int BothBodiesRedactEscaped()
    {
        _record.ResetWrittenCount();
        _writer.Reset(_record);
        Literal(_request, _requestBody);
        _writer.WriteRawValue(_output.WrittenSpan, skipInputValidation: true);
        Literal(_response, _responseBody);
        _writer.WriteRawValue(_output.WrittenSpan, skipInputValidation: true);
        _writer.Flush();
        return _record.WrittenCount;
    }

    /// <summary>Both bodies as sent since JSON bodies travel raw: redacted plainly, checked for valid UTF-8, copied into the record as JSON values.</summary>
    [Benchmark]
    public int BothBodiesRedactRaw()
    {
        _record.ResetWrittenCount();
        _writer.Reset(_record);
        _writer.WriteStartArray();
        Raw(_request, _requestBody);
        Raw(_response, _responseBody);
        _writer.WriteEndArray();
        _writer.Flush();
        return _record.WrittenCount;
    }

    private void Raw(JsonRedactor redactor, byte[] body)
    {
        _output.ResetWrittenCount();
        if (redactor.Redact(body, _output).Succeeded && System.Text.Unicode.Utf8.IsValid(_output.WrittenSpan))
            _writer.WriteRawValue(_output.WrittenSpan, skipInputValidation: true);
    }

    private void Literal(JsonRedactor redactor, byte[] body)
    {
        _output.ResetWrittenCount();
        _output.Write("\""u8);
        redactor.RedactEscaped(body, _output);
        _output.Write("\""u8);
    }

    // main's scanner (c75a1d2; test/Sightline.Redaction.Tests/Json/Reference, compiled into this project), for A/B runs in one process:
    // dotnet Sightline.Benchmarks.dll loopab LoadBodyRedactionBenchmarks.BaseRequestBody LoadBodyRedactionBenchmarks.RequestBody 100000 15
    [Benchmark]
    public int BaseRequestBody()
    {
        _output.ResetWrittenCount();
        return MainRedactionScanner.Run(_requestBody, _output, _requestAutomaton, RedactionDefaults.MaxJsonDepth, false).Succeeded ? _output.WrittenCount : -1;
    }

    [Benchmark]
    public int BaseResponseBody()
    {
        _output.ResetWrittenCount();
        return MainRedactionScanner.Run(_responseBody, _output, _responseAutomaton, RedactionDefaults.MaxJsonDepth, false).Succeeded ? _output.WrittenCount : -1;
    }

    [Benchmark]
    public int BaseBothBodiesRedactEscaped()
    {
        _record.ResetWrittenCount();
        _writer.Reset(_record);
        BaseLiteral(_requestAutomaton, _requestBody);
        _writer.WriteRawValue(_output.WrittenSpan, skipInputValidation: true);
        BaseLiteral(_responseAutomaton, _responseBody);
        _writer.WriteRawValue(_output.WrittenSpan, skipInputValidation: true);
        _writer.Flush();
        return _record.WrittenCount;
    }

    private void BaseLiteral(RedactionAutomaton automaton, byte[] body)
    {
        _output.ResetWrittenCount();
        _output.Write("\""u8);
        MainRedactionScanner.Run(body, _output, automaton, RedactionDefaults.MaxJsonDepth, false, escape: true);
        _output.Write("\""u8);
    }
}
