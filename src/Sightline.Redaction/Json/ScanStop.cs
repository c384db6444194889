namespace Sightline.Redaction.Json;

/// <summary>Why <see cref="RedactionScanner"/> stopped before the end of the document.</summary>
internal enum ScanStop
{
    /// <summary>It did not stop: the document was scanned to its end.</summary>
    None,

    /// <summary>The bytes are not JSON.</summary>
    Invalid,

    /// <summary>Containers nest deeper than the limit.</summary>
    TooDeep,

    /// <summary>A truncated input ended; the output holds the redacted beginning.</summary>
    EndOfInput,
}
