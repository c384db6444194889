namespace Sightline.Redaction;

/// <summary>Outcome of <see cref="JsonRedactor.Redact"/>.</summary>
public enum JsonRedactionStatus
{
    /// <summary>The output holds the redacted document (or its redacted beginning when truncated).</summary>
    Redacted,

    /// <summary>The input is not valid JSON; the output must be discarded.</summary>
    InvalidJson,

    /// <summary>The input nests deeper than the redactor's limit; the output must be discarded.</summary>
    DepthExceeded,

    /// <summary>Redaction could not be done safely (e.g. a truncated body with filter paths); the output must be discarded.</summary>
    Failed,
}
