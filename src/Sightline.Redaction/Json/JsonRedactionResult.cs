namespace Sightline.Redaction;

/// <summary>Result of <see cref="JsonRedactor.Redact"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Reason">Why it failed (for the body's omission marker); null on success.</param>
/// <param name="Truncated">True when the input was only the beginning of the body and the output is its redacted beginning.</param>
public readonly record struct JsonRedactionResult(JsonRedactionStatus Status, string? Reason, bool Truncated)
{
    /// <summary>True when the output may be sent.</summary>
    public bool Succeeded => Status == JsonRedactionStatus.Redacted;
}
