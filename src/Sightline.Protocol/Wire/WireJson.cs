using System.Text.Json;

namespace Sightline.Protocol.Wire;

/// <summary>
/// Reads a batch held in memory, as the server does. Same result as
/// <c>JsonSerializer.Deserialize(utf8Json, WireJsonContext.Default.IngestBatch)</c>, but bodies sent as raw JSON
/// values (<see cref="CapturedBody.Json"/>) are sliced from the input after one validating skip over them instead
/// of being parsed a second time into a document: the reader's offsets are offsets into this input.
/// </summary>
public static class WireJson
{
    [ThreadStatic]
    private static ReadOnlyMemory<byte> t_source;

    /// <summary>Deserializes <paramref name="utf8Json"/> as an <see cref="IngestBatch"/>.</summary>
    /// <exception cref="JsonException">The input is not a valid batch.</exception>
    public static IngestBatch? DeserializeBatch(ReadOnlyMemory<byte> utf8Json)
    {
        var previous = t_source;
        t_source = utf8Json;
        try
        {
            return JsonSerializer.Deserialize(utf8Json.Span, WireJsonContext.Default.IngestBatch);
        }
        finally
        {
            t_source = previous;
        }
    }

    /// <summary>The input being read by <see cref="DeserializeBatch"/> on this thread; empty otherwise.</summary>
    internal static ReadOnlySpan<byte> Source => t_source.Span;
}
