namespace Sightline.Protocol.Wire;

/// <summary>Fixed facts of the wire contract shared by the SDK and the server.</summary>
public static class WireConstants
{
    /// <summary>The schema version this assembly writes and the server accepts (1).</summary>
    public const int SchemaVersion = 1;

    /// <summary>The ingest endpoint, relative to the server's base address.</summary>
    public const string IngestPath = "/api/v1/ingest";

    /// <summary>The header that carries the project's ingest key.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary><see cref="RequestRecord.Direction"/> of a request the app received.</summary>
    public const string DirectionIncoming = "incoming";

    /// <summary><see cref="RequestRecord.Direction"/> of a call the app made.</summary>
    public const string DirectionOutgoing = "outgoing";

    /// <summary>Longest consumer identifier, in characters (longer ones are truncated by the SDK, rejected by the server).</summary>
    public const int MaxConsumerIdentifierLength = 128;

    /// <summary>Longest consumer name or group, in characters.</summary>
    public const int MaxConsumerNameLength = 256;

    /// <summary>Largest batch the server accepts, in bytes after decompression (16 MiB).</summary>
    public const long MaxBatchBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Deepest nesting of a body sent as a raw JSON value (<see cref="CapturedBody.Json"/>), root containers
    /// at depth 1 (64, the SDK redactor's own limit: a deeper body fails redaction and is omitted, so the SDK never embeds one).
    /// </summary>
    public const int MaxJsonBodyDepth = 64;

    /// <summary>
    /// Containers around a body's <c>json</c> value in a batch at most (6): the batch, <c>records</c>, the record,
    /// <c>outgoing</c>, the outgoing child record, the body object.
    /// </summary>
    public const int MaxBodyEnvelopeDepth = 6;

    /// <summary>Deepest nesting the server reads in a batch (<see cref="MaxJsonBodyDepth"/> + <see cref="MaxBodyEnvelopeDepth"/> = 70).</summary>
    public const int MaxBatchDepth = MaxJsonBodyDepth + MaxBodyEnvelopeDepth;

    /// <summary>Most items (records + metrics + heartbeats + security events) in one batch.</summary>
    public const int MaxBatchItems = 10_000;
}
