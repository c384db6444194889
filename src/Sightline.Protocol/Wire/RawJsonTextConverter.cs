using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sightline.Protocol.Wire;

/// <summary>
/// Reads any JSON value as its raw text (<see cref="CapturedBody.Json"/>) and writes the text back as a raw
/// value. Reading takes the value's bytes as they are, without unescaping: the reader's validating pass over
/// the value is the only work besides one copy and the UTF-8 decode (the bytes are sliced from a pooled
/// <see cref="JsonDocument"/>, which also makes it correct for buffered and multi-segment input). A JSON
/// <c>null</c> is the text <c>null</c>.
/// </summary>
internal sealed class RawJsonTextConverter : JsonConverter<string>
{
    public override bool HandleNull => true;

    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
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
