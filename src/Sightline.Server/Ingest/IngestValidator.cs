using Sightline.Protocol.Wire;

namespace Sightline.Server.Ingest;

/// <summary>Per-item validation: invalid items are removed from the batch and reported; valid ones are kept.</summary>
internal static class IngestValidator
{
    private static readonly DateTimeOffset s_earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static List<RejectedItem> Filter(IngestBatch batch)
    {
        var rejected = new List<RejectedItem>();
        var latest = DateTimeOffset.UtcNow.AddDays(1);
        batch.Records.RemoveAll(r => Reject(rejected, r.Id, RecordProblem(r, latest)));
        // A body sent as a raw JSON value is stored as its text, exactly as if it had come as content.
        foreach (var record in batch.Records)
        {
            TakeJson(record);
            if (record.Outgoing is { } calls) foreach (var call in calls) TakeJson(call);
        }
        batch.Metrics.RemoveAll(m => Reject(rejected, m.Id, m.Id == Guid.Empty ? "id is required" : m.Series.Exists(s => s.Count < 0 || string.IsNullOrEmpty(s.Method)) ? "series need a method and a count ≥ 0" : null));
        batch.Heartbeats.RemoveAll(h => Reject(rejected, h.Id, HeartbeatProblem(h, batch.Service)));
        batch.SecurityEvents.RemoveAll(e => Reject(rejected, e.Id, e.Id == Guid.Empty ? "id is required" : string.IsNullOrEmpty(e.Reason) ? "reason is required" : null));
        return rejected;
    }

    private static string? RecordProblem(RequestRecord r, DateTimeOffset latest)
    {
        if (r.Id == Guid.Empty) return "id is required";
        if (string.IsNullOrWhiteSpace(r.Method) || r.Method.Length > 16) return "method is required (at most 16 characters)";
        if (r.Status is < 0 or > 999) return "status must be 0..999";
        if (r.DurationNs < 0) return "durationNs must be ≥ 0";
        if (r.RequestSize < 0 || r.ResponseSize < 0) return "sizes must be ≥ 0";
        if (r.Timestamp < s_earliest || r.Timestamp > latest) return "timestamp is out of range";
        if (r.RouteTemplate.Length > 1024 || r.Path.Length > 4096) return "routeTemplate or path too long";
        if (r.Consumer is { } c && (string.IsNullOrEmpty(c.Identifier) || c.Identifier.Length > WireConstants.MaxConsumerIdentifierLength))
            return $"consumer.identifier must be 1..{WireConstants.MaxConsumerIdentifierLength} characters";
        if (r.Direction != WireConstants.DirectionIncoming && r.Direction != WireConstants.DirectionOutgoing) return "direction must be incoming or outgoing";
        if (BodyProblem(r) is { } body) return body;
        if (r.Outgoing is { } outgoing)
            foreach (var child in outgoing)
                if (BodyProblem(child) is { } childBody) return "outgoing: " + childBody;
        return null;
    }

    private static string? BodyProblem(RequestRecord r)
        => r.RequestBody is { Json: not null, Content: not null } ? "requestBody has both json and content"
            : r.ResponseBody is { Json: not null, Content: not null } ? "responseBody has both json and content"
            : null;

    private static void TakeJson(RequestRecord r)
    {
        if (r.RequestBody is { Json: { } request } requestBody) (requestBody.Content, requestBody.Json) = (request, null);
        if (r.ResponseBody is { Json: { } response } responseBody) (responseBody.Content, responseBody.Json) = (response, null);
    }

    private static string? HeartbeatProblem(Heartbeat h, ServiceInfo? batchService)
    {
        if (h.Id == Guid.Empty) return "id is required";
        if ((h.Service ?? batchService) is not { } service) return "service is required";
        // JSON null passes deserialization; the instance table needs both (a 500 before this check).
        if (service.Name is null || string.IsNullOrEmpty(service.Instance)) return "service.name and service.instance are required";
        return null;
    }

    private static bool Reject(List<RejectedItem> rejected, Guid id, string? reason)
    {
        if (reason is null) return false;
        rejected.Add(new RejectedItem(id.ToString(), reason));
        return true;
    }
}
