using System.Text.Json;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Errors;

/// <summary>
/// Reads the field names and messages of a 400/422 validation response (RFC 9457 problem details
/// with an <c>errors</c> object, as produced by <c>ValidationProblem</c> and <c>[ApiController]</c>),
/// from the captured (not yet redacted) body, so the server can show which fields consumers get wrong.
/// </summary>
internal static class ValidationErrors
{
    private const int MaxFields = 50;
    private const int MaxMessageLength = 512;

    public static List<ValidationFailure>? TryRead(int status, string? contentType, ReadOnlySpan<byte> body, bool truncated)
    {
        if (status is not (400 or 422) || truncated || body.IsEmpty || contentType is null
            || !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
            return null;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("errors", out var errors)
                || errors.ValueKind != JsonValueKind.Object)
                return null;
            var result = new List<ValidationFailure>();
            foreach (var field in errors.EnumerateObject())
            {
                if (result.Count == MaxFields) break;
                var failure = new ValidationFailure { Field = Cut(field.Name) };
                if (field.Value.ValueKind == JsonValueKind.Array)
                {
                    foreach (var message in field.Value.EnumerateArray())
                        if (message.ValueKind == JsonValueKind.String) failure.Messages.Add(Cut(message.GetString()!));
                }
                else if (field.Value.ValueKind == JsonValueKind.String)
                {
                    failure.Messages.Add(Cut(field.Value.GetString()!));
                }
                result.Add(failure);
            }
            return result.Count == 0 ? null : result;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Cut(string value) => value.Length <= MaxMessageLength ? value : value[..MaxMessageLength];
}
