using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sightline.Protocol.Wire;

/// <summary>
/// Source-generated System.Text.Json metadata for the wire contract: camelCase names, nulls
/// omitted. Both the SDK (writer) and the server (reader) use this one context.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    MaxDepth = 64)]
[JsonSerializable(typeof(IngestBatch))]
[JsonSerializable(typeof(RequestRecord))]
[JsonSerializable(typeof(MetricsSnapshot))]
[JsonSerializable(typeof(Heartbeat))]
[JsonSerializable(typeof(SecurityEvent))]
public sealed partial class WireJsonContext : JsonSerializerContext;
