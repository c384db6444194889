using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Sightline.AspNetCore.Transport;

namespace Sightline.Benchmarks.Transport;

/// <summary>
/// The shipper's per-record costs in isolation: JSON-escaping a 2 KiB JSON body into the batch
/// (the body is a JSON string on the wire), and the serializer's own escaping of the same text for comparison.
/// Run: dotnet run -c Release --project bench/Sightline.Benchmarks -- --filter '*BatchBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class BatchBenchmarks
{
    private static readonly byte[] s_body = Redaction.SampleDocuments.Create(2048);
    private static readonly string s_bodyText = Redaction.SampleDocuments.CreateString(2048);
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private readonly RecordJsonWriter _records = new();
    private Utf8JsonWriter _writer = null!;

    [GlobalSetup]
    public void Setup() => _writer = new Utf8JsonWriter(_output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });

    [Benchmark(Baseline = true)]
    public void EscapeBodyUtf8()
    {
        _output.ResetWrittenCount();
        _writer.Reset(_output);
        _records.WriteUtf8String(_writer, s_body);
        _writer.Flush();
    }

    [Benchmark]
    public void SerializerEscapeString()
    {
        _output.ResetWrittenCount();
        _writer.Reset(_output);
        _writer.WriteStringValue(s_bodyText);
        _writer.Flush();
    }
}
