namespace Sightline.Server.Query;

/// <summary>
/// Which traffic a rollup query covers. Every member is optional (null = all) and they combine
/// with AND; matching is exact (an empty <see cref="Consumer"/> is not "no consumer", use null).
/// </summary>
public sealed record TrafficScope(string? Environment = null, string? Method = null, string? Route = null, string? Consumer = null);

/// <summary>Requests per status code.</summary>
public sealed record StatusCount(int Status, long Requests);

/// <summary>A consumer's (or, with an empty identifier, anonymous) share of some traffic.</summary>
public sealed record ConsumerShare(string Identifier, long Requests, long Errors, double P95Ms);

/// <summary>
/// The traffic in a scope and range, from the per-minute rollups: totals, a time series with one
/// point per bucket over the whole range (empty buckets included), and breakdowns.
/// </summary>
public sealed record TrafficReport(EndpointStats Totals, IReadOnlyList<TimePoint> Series, IReadOnlyList<StatusCount> Statuses,
    IReadOnlyList<EndpointStats> Endpoints, IReadOnlyList<ConsumerShare> Consumers);

/// <summary>One external host called by the app (outgoing calls), with its numbers for the range.</summary>
public sealed record OutgoingHostStats(string Host, long Calls, long Errors, double ErrorRate, double P50Ms, double P95Ms, double P99Ms, double MaxMs);

/// <summary>Outgoing calls for a range: a series over every bucket and the hosts, busiest first.</summary>
public sealed record OutgoingReport(IReadOnlyList<TimePoint> Series, IReadOnlyList<OutgoingHostStats> Hosts);

/// <summary>Occurrences of errors in a range: a series over every bucket and the count per fingerprint.</summary>
public sealed record ErrorSummary(IReadOnlyList<TimePoint> Series, IReadOnlyDictionary<string, long> CountsByFingerprint);

/// <summary>An endpoint (or consumer) affected by an error group, with how often.</summary>
public sealed record AffectedCount(string Key, long Count);

/// <summary>One error group in detail for a range.</summary>
public sealed record ErrorGroupDetail(ErrorGroup Group, long CountInRange, IReadOnlyList<TimePoint> Series, IReadOnlyList<AffectedCount> Endpoints,
    IReadOnlyList<AffectedCount> Consumers, IReadOnlyList<RequestSummary> Samples);

/// <summary>Refused attempts in one bucket for one reason.</summary>
public sealed record SecurityPoint(DateTimeOffset Bucket, string Reason, long Count);

/// <summary>Refused API-key attempts in a range: per bucket and reason, and the top reasons, client IPs and key prefixes.</summary>
public sealed record SecurityReport(long Total, IReadOnlyList<DateTimeOffset> Buckets, IReadOnlyList<SecurityPoint> Series, IReadOnlyList<AffectedCount> Reasons,
    IReadOnlyList<AffectedCount> ClientIps, IReadOnlyList<AffectedCount> KeyPrefixes);

/// <summary>A project with the environments its SDKs reported.</summary>
public sealed record ProjectRow(long Id, string Name, DateTimeOffset Created, IReadOnlyList<string> Environments);

/// <summary>An ingest key as listed (never the secret, nor its hash).</summary>
public sealed record IngestKeyRow(string KeyId, string Prefix, DateTimeOffset Created, bool Revoked);

/// <summary>A dashboard user as listed (never the password hash).</summary>
public sealed record UserRow(string Username, DateTimeOffset Created);
