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

    /// <summary>Most items (records + metrics + heartbeats + security events) in one batch.</summary>
    public const int MaxBatchItems = 10_000;
}
