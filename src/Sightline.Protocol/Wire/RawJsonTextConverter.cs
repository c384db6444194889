using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sightline.Protocol.Wire;

/// <summary>
/// Reads any JSON value as its raw text (<see cref="CapturedBody.Json"/>) and writes the text back as a raw
/// value. Reading never unescapes: inside <see cref="WireJson.DeserializeBatch"/> (the server's path) the value's
/// bytes are sliced from the input after the reader's validating skip; for any other input (streams, buffered
/// or multi-segment) they are taken from a pooled <see cref="JsonDocument"/> of the value. A JSON <c>null</c>
/// is the text <c>null</c>.
/// </summary>
internal sealed class RawJsonTextConverter : JsonConverter<string>
{
    public override bool HandleNull => true;

    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var source = WireJson.Source;
        if (!source.IsEmpty && !reader.HasValueSequence)
        {
            // The reader is the one over `source` (offsets into it): take the bytes from the value's first to its last.
            var start = reader.TokenStartIndex;
            reader.Skip();
            var end = reader.BytesConsumed;
            if (start >= 0 && end <= source.Length && start < end)
                return Encoding.UTF8.GetString(source[(int)start..(int)end]);
            throw new JsonException("The raw JSON value is outside the input being read.");
        }
        // A scalar is one token: its bytes are the value unless it is a string (quotes and escapes to keep).
        if (reader.TokenType is JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null && !reader.HasValueSequence)
            return Encoding.UTF8.GetString(reader.ValueSpan);
        using var document = JsonDocument.ParseValue(ref reader);
        return Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8Value(document.RootElement));
    }

    // Null only reaches here through options that write nulls (e.g. the server's HTTP JSON options).
    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null) writer.WriteNullValue();
        else writer.WriteRawValue(value, skipInputValidation: false);
    }
}
