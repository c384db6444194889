namespace Sightline.Server.Monitoring;

/// <summary>
/// Storage of uptime checks, incidents, alert rules, channels, history and deliveries, plus the few
/// read queries the monitors need over the main tables (<c>rollups</c>, <c>error_groups</c>,
/// <c>security_events</c>, <c>instances</c>). Implemented for SQLite (the same file as the main
/// store) and PostgreSQL by <see cref="SqlMonitoringStore"/>; both pass one contract test suite.
/// Every claim (due checks, due deliveries, leases) is a single atomic <c>UPDATE … RETURNING</c>, so
/// several servers on one database never run the same work twice.
/// </summary>
internal interface IMonitoringStore : IDisposable
{
    // ---- checks ----
    long CreateCheck(long projectId, CheckDefinition definition, DateTimeOffset now);
    bool UpdateCheck(long projectId, long id, CheckDefinition definition, DateTimeOffset now);
    bool DeleteCheck(long projectId, long id, DateTimeOffset now);
    UptimeCheck? GetCheck(long projectId, long id);
    IReadOnlyList<UptimeCheck> GetChecks(long projectId);

    /// <summary>
    /// Claims up to <paramref name="max"/> enabled checks whose next run is due: their next run moves
    /// one interval ahead in the same statement, so another server claiming at the same time gets none of them.
    /// </summary>
    IReadOnlyList<UptimeCheck> ClaimDueChecks(DateTimeOffset now, int max);

    /// <summary>Records a run: counts consecutive failures, opens an incident at the threshold, closes it on recovery.</summary>
    CheckTransition RecordCheckResult(long checkId, CheckResult result);

    // ---- incidents ----
    /// <summary>Opens an incident for a target unless one is open; returns its id when opened.</summary>
    long? OpenIncident(long projectId, string targetKind, string targetKey, string targetName, DateTimeOffset started, string reason);

    /// <summary>Closes the open incident of a target; returns its id when one was open.</summary>
    long? CloseIncident(long projectId, string targetKind, string targetKey, DateTimeOffset ended);

    IReadOnlyList<Incident> GetOpenIncidents(long projectId);

    /// <summary>Incidents overlapping [from, to), optionally of one target, newest first.</summary>
    IReadOnlyList<Incident> GetIncidents(long projectId, DateTimeOffset from, DateTimeOffset to, string? targetKind = null, string? targetKey = null, int limit = 500);

    // ---- leases ----
    /// <summary>Takes or renews the named lease until <paramref name="now"/> + <paramref name="duration"/> when it is free, expired or already ours.</summary>
    bool TryAcquireLease(string name, string owner, DateTimeOffset now, TimeSpan duration);

    // ---- reads over the main tables ----
    IReadOnlyList<InstanceHeartbeat> GetInstanceHeartbeats(long projectId);
    TrafficWindow GetTraffic(long projectId, string? environment, string? method, string? route, DateTimeOffset from, DateTimeOffset to);
    long CountSecurityEvents(long projectId, DateTimeOffset from, DateTimeOffset to);
    IReadOnlyList<NewErrorGroup> GetErrorGroupsFirstSeenSince(long projectId, DateTimeOffset since);

    // ---- rules ----
    long CreateRule(long projectId, AlertRuleDefinition definition, DateTimeOffset now);
    bool UpdateRule(long projectId, long id, AlertRuleDefinition definition);
    bool DeleteRule(long projectId, long id);
    AlertRule? GetRule(long projectId, long id);
    IReadOnlyList<AlertRule> GetRules(long projectId);
    void SaveRuleState(long ruleId, string state, DateTimeOffset since, DateTimeOffset? lastNotified, double? lastValue, string? message);

    // ---- channels ----
    long CreateChannel(long projectId, AlertChannelDefinition definition, string? protectedSecret, DateTimeOffset now);
    bool UpdateChannel(long projectId, long id, AlertChannelDefinition definition, string? protectedSecret, bool keepSecret);
    bool DeleteChannel(long projectId, long id);
    AlertChannel? GetChannel(long projectId, long id);
    IReadOnlyList<AlertChannel> GetChannels(long projectId);

    // ---- history and deliveries ----
    /// <summary>Stores an event and one pending delivery per channel (due now), in one transaction.</summary>
    long AddEvent(AlertEvent alertEvent, IReadOnlyList<long> channelIds);
    IReadOnlyList<AlertEvent> GetEvents(long projectId, int limit = 200);
    AlertEvent? GetEvent(long id);

    /// <summary>Claims due pending deliveries (their next attempt moves to <paramref name="leaseUntil"/> and the attempt is counted).</summary>
    IReadOnlyList<AlertDelivery> ClaimDueDeliveries(DateTimeOffset now, DateTimeOffset leaseUntil, int max);

    /// <summary>Marks a claimed delivery delivered, failed for good, or pending again at <paramref name="retryAt"/>.</summary>
    void CompleteDelivery(long id, string status, string? error, DateTimeOffset? retryAt, DateTimeOffset now);

    IReadOnlyList<AlertDelivery> GetDeliveries(long projectId, bool problemsOnly, int limit = 200);

    /// <summary>Deletes history older than <paramref name="before"/>: closed incidents, alert events and finished deliveries. Returns rows deleted.</summary>
    int Prune(DateTimeOffset before);
}
