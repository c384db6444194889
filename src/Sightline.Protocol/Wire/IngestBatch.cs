namespace Sightline.Protocol.Wire;

/// <summary>
/// One POST to <see cref="WireConstants.IngestPath"/>: gzip-compressed JSON (Content-Encoding: gzip),
/// authenticated by the project's ingest key in <see cref="WireConstants.ApiKeyHeader"/>.
/// Every item carries its own id so a retried batch is stored once.
/// </summary>
public sealed class IngestBatch
{
    /// <summary>Wire schema version; the server rejects versions it does not know.</summary>
    public int SchemaVersion { get; set; } = WireConstants.SchemaVersion;

    /// <summary>The sending service. Applies to every item whose own <c>service</c> is absent.</summary>
    public ServiceInfo? Service { get; set; }

    /// <summary>Captured request records (incoming, each with its outgoing children, or standalone outgoing calls).</summary>
    public List<RequestRecord> Records { get; set; } = [];

    /// <summary>Aggregated metrics, one snapshot per flush interval, for 100% of traffic.</summary>
    public List<MetricsSnapshot> Metrics { get; set; } = [];

    /// <summary>Start-up and heartbeat messages (instance, versions, route inventory).</summary>
    public List<Heartbeat> Heartbeats { get; set; } = [];

    /// <summary>Security events such as refused API-key attempts.</summary>
    public List<SecurityEvent> SecurityEvents { get; set; } = [];
}
