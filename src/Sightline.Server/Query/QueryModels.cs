namespace Sightline.Server.Query;

/// <summary>One minute of traffic.</summary>
public sealed record TimePoint(DateTimeOffset Minute, long Requests, long Errors, double P50Ms, double P95Ms, double P99Ms);

/// <summary>Traffic summary for a time range (from the per-minute rollups).</summary>
public sealed record Overview(DateTimeOffset From, DateTimeOffset To, long Requests, long Errors, double ErrorRate,
    double P50Ms, double P95Ms, double P99Ms, double AverageResponseBytes, IReadOnlyList<TimePoint> Series, IReadOnlyList<EndpointStats> TopEndpoints);

/// <summary>One endpoint's numbers for a time range.</summary>
public sealed record EndpointStats(string Method, string Route, long Requests, long Errors, double ErrorRate, double P50Ms, double P95Ms, double P99Ms,
    double AverageResponseBytes, bool FromInventory);

/// <summary>A row of the request log.</summary>
public sealed record RequestSummary(Guid Id, DateTimeOffset Timestamp, string Method, string Route, string Path, int Status, double DurationMs,
    long RequestSize, long ResponseSize, string? Consumer, bool HasError, string? ClientIp);

/// <summary>A page of the request log with the cursor of the next page (null at the end).</summary>
public sealed record RequestPage(IReadOnlyList<RequestSummary> Items, string? NextCursor);

/// <summary>Request log filters. All optional; combined with AND. <c>Environment</c> is the environment the SDK reported for the record (null = all).</summary>
public sealed record RequestFilter(DateTimeOffset? From, DateTimeOffset? To, string? Route, string? Method, int? StatusClass, string? Consumer,
    string? PathContains, bool? HasError, double? MinDurationMs, string? Cursor, int Limit, string? Environment = null);

/// <summary>An error group (same fingerprint).</summary>
public sealed record ErrorGroup(string Fingerprint, string Type, string Message, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, long Count, Guid? LastRecord);

/// <summary>A consumer and its traffic in the range.</summary>
public sealed record ConsumerStats(string Identifier, string? Name, string? Group, long Requests, long Errors, DateTimeOffset LastSeen);

/// <summary>A refused API-key attempt.</summary>
public sealed record SecurityEventRow(DateTimeOffset Timestamp, string Kind, string Reason, string? KeyPrefix, string? ClientIp, string? Method, string? Path);

/// <summary>An SDK instance and whether it is still sending heartbeats.</summary>
public sealed record InstanceRow(string Instance, string Service, string? Version, string? Environment, DateTimeOffset LastSeen, bool Silent);
