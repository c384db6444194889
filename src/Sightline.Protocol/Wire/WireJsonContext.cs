using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sightline.Protocol.Wire;

/// <summary>
/// Source-generated System.Text.Json metadata for the wire contract: camelCase names, nulls
/// omitted. Both the SDK (writer) and the server (reader) use this one context. Reads nest up to
/// <see cref="WireConstants.MaxBatchDepth"/>, so a raw <c>json</c> body as deep as <see cref="WireConstants.MaxJsonBodyDepth"/> fits.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    MaxDepth = WireConstants.MaxBatchDepth)]
[JsonSerializable(typeof(IngestBatch))]
[JsonSerializable(typeof(RequestRecord))]
[JsonSerializable(typeof(MetricsSnapshot))]
[JsonSerializable(typeof(Heartbeat))]
[JsonSerializable(typeof(SecurityEvent))]
public sealed partial class WireJsonContext : JsonSerializerContext;
