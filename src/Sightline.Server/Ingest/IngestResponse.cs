using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sightline.Server.Ingest;

/// <summary>The 200 answer to an ingest batch: how many items were stored and which were rejected, and why.</summary>
public sealed record IngestResponse(int Accepted, IReadOnlyList<RejectedItem> Rejected);

/// <summary>An item the server did not store.</summary>
public sealed record RejectedItem(string Id, string Reason);

/// <summary>Source-generated JSON for the ingest response.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IngestResponse))]
internal sealed partial class IngestJsonContext : JsonSerializerContext;
