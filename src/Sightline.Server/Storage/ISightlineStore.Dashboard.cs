using Sightline.Server.Query;

namespace Sightline.Server.Storage;

/// <summary>
/// The dashboard's queries. Ranges are half-open [from, to); "bucketed" series start at
/// <c>from</c> floored to the bucket size (UTC, from the Unix epoch) and hold one point per bucket up to
/// <c>to</c>, empty buckets included with zeros. Percentiles are merged from histograms, never averaged.
/// </summary>
public partial interface ISightlineStore
{
    /// <summary>
    /// Traffic in <paramref name="scope"/> for [from, to) from the per-minute rollups (rows whose
    /// minute is in the range): totals (Totals.Method/Route are the scope's, or ""); Series in
    /// <paramref name="bucket"/>-wide points with requests, errors and p50/p95/p99; Statuses by
    /// status code ascending; Endpoints (method, route) by requests descending (FromInventory false);
    /// Consumers by requests descending, at most 100, "" for requests with no consumer.
    /// </summary>
    TrafficReport GetTraffic(long projectId, TrafficScope scope, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket);

    /// <summary>
    /// The slowest incoming requests of one endpoint (exact method and route) in [from, to) from the
    /// raw records: duration descending, then newest first, at most <paramref name="limit"/> (1..100).
    /// </summary>
    IReadOnlyList<RequestSummary> GetSlowestRequests(long projectId, string method, string route, DateTimeOffset from, DateTimeOffset to, int limit = 10);

    /// <summary>
    /// Outgoing calls in [from, to) (environment null = all) from the outgoing rollups, which count
    /// every outgoing call once: those nested in an incoming record and standalone outgoing records.
    /// A call is an error when its status is 0 (no response) or at least 500, or it carries errors.
    /// Series: calls, errors and percentiles per bucket; Hosts by calls descending (host = the
    /// record's Host, else its URL's authority, else "(unknown)").
    /// </summary>
    OutgoingReport GetOutgoing(long projectId, string? environment, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket);

    /// <summary>
    /// Error occurrences in [from, to) from the error rollups: one occurrence per error a stored
    /// record carries (fingerprint = the error's fingerprint, else its type). Series: occurrences per
    /// bucket in Requests and Errors (percentiles 0); CountsByFingerprint: occurrences per group in range.
    /// With an <paramref name="environment"/> (null = all), occurrences are counted from the error samples of the stored
    /// records of that environment instead (the rollups carry no environment): the same minutes, but only within the
    /// raw-record retention, and an error type repeated in one record counts once.
    /// </summary>
    ErrorSummary GetErrorSummary(long projectId, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket, string? environment = null);

    /// <summary>
    /// One error group in [from, to), or null when the fingerprint is unknown: the group (all-time
    /// count and first/last seen), occurrences in range, a bucketed series, affected endpoints
    /// ("METHOD route") and consumers ("" = anonymous) by occurrences descending (at most 50 each),
    /// and up to <paramref name="samples"/> of its most recent requests (newest first, whose raw record still exists).
    /// With an <paramref name="environment"/>, the occurrences, series, endpoints, consumers and samples are those of that
    /// environment's stored records (as in <see cref="GetErrorSummary"/>); the group's all-time numbers stay project-wide.
    /// </summary>
    ErrorGroupDetail? GetErrorGroup(long projectId, string fingerprint, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket, int samples = 20, string? environment = null);

    /// <summary>
    /// Refused API-key attempts in [from, to) from the security events: total, the bucket starts,
    /// counts per (bucket, reason) for non-empty buckets, and the top 20 reasons, client IPs
    /// ("(unknown)" when none) and key prefixes ("(none)" when none), by count descending. With an
    /// <paramref name="environment"/> (null = all), only the events reported in a batch of that environment; events stored
    /// before security events carried an environment have none and count only without a filter.
    /// </summary>
    SecurityReport GetSecurityReport(long projectId, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket, string? environment = null);

    /// <summary>Every project by name, with the distinct environments its SDK instances reported (sorted; "" excluded).</summary>
    IReadOnlyList<ProjectRow> GetProjects();

    /// <summary>The id of project <paramref name="name"/> (exact, case-sensitive), or null; one indexed lookup, never creates it.</summary>
    long? FindProjectId(string name);

    /// <summary>
    /// Ingest keys issued before they moved to Sightline.ApiKeys (table <c>ingest_keys</c>, format
    /// <c>sl_ingest_&lt;id:12&gt;_&lt;secret:32&gt;</c>, SHA-256 of the key), oldest first. Read once at start-up by
    /// <see cref="Security.IngestKeyService"/>, which imports them into its own table; nothing writes this table any more.
    /// </summary>
    IReadOnlyList<LegacyIngestKey> GetLegacyIngestKeys();

    /// <summary>Dashboard users by name.</summary>
    IReadOnlyList<UserRow> GetUsers();

    /// <summary>Sets an existing user's password (hashed); false when there is no such user.</summary>
    bool SetPassword(string username, string newPassword);
}
