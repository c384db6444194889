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
/// <param name="KeyId">The non-secret id (what rotate and revoke take).</param>
/// <param name="Prefix">The display prefix, <c>sl_ingest_&lt;id&gt;</c>.</param>
/// <param name="Name">The key's name.</param>
/// <param name="Created">When it was issued.</param>
/// <param name="LastUsed">When it last authenticated an ingest request (written every 10 s), or null.</param>
/// <param name="Expires">When it stops working (the end of a rotation's grace period), or null: never.</param>
/// <param name="Revoked">True when revoked.</param>
/// <param name="State"><c>active</c>, <c>expiring</c> (rotated; works until <paramref name="Expires"/>), <c>expired</c> or <c>revoked</c>.</param>
/// <param name="Legacy">True for a key issued in the server's old format (before Sightline.ApiKeys); rotate it to get a new-format key.</param>
/// <param name="ReplacedBy">The id of the key that replaced it when it was rotated, or null.</param>
public sealed record IngestKeyRow(string KeyId, string Prefix, string Name, DateTimeOffset Created, DateTimeOffset? LastUsed, DateTimeOffset? Expires,
    bool Revoked, string State, bool Legacy, string? ReplacedBy);

/// <summary>A newly issued ingest key: <paramref name="Key"/> is shown once and stored nowhere.</summary>
public sealed record IngestKeyCreated(string Key, IngestKeyRow Row);

/// <summary>A dashboard user as listed (never the password hash).</summary>
public sealed record UserRow(string Username, DateTimeOffset Created);
