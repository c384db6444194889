namespace Sightline.Server.Monitoring;

/// <summary>What a user configures for an HTTP check (validated by <see cref="MonitoringValidation"/>).</summary>
internal sealed record CheckDefinition(string Name, string Url, string Method, int ExpectedStatus, int TimeoutMs, int IntervalSeconds,
    string? BodyContains, int FailureThreshold, bool Enabled);

/// <summary>A configured HTTP check with its live state.</summary>
internal sealed record UptimeCheck(long Id, long ProjectId, CheckDefinition Definition, string State, int ConsecutiveFailures,
    DateTimeOffset? LastChecked, int? LastStatus, double? LastDurationMs, string? LastError, DateTimeOffset Created);

/// <summary>The outcome of running a check once.</summary>
internal sealed record CheckResult(bool Ok, int? Status, double DurationMs, string? Error, DateTimeOffset At);

/// <summary>What recording a result changed: an incident opened or closed (ids), or nothing.</summary>
internal sealed record CheckTransition(long? OpenedIncident, long? ClosedIncident, string State);

/// <summary>
/// A period of downtime of one target: a check (<c>check</c>, key = check id), or from heartbeats an
/// <c>instance</c>, an <c>environment</c> (key <c>service/environment</c>) or a whole <c>service</c>.
/// </summary>
internal sealed record Incident(long Id, long ProjectId, string TargetKind, string TargetKey, string TargetName, DateTimeOffset Started,
    DateTimeOffset? Ended, string Reason)
{
    /// <summary>Duration so far (open incidents) or in total.</summary>
    public TimeSpan Duration(DateTimeOffset now) => (Ended ?? now) - Started;
}

/// <summary>An SDK instance as the heartbeats left it (the <c>instances</c> table).</summary>
internal sealed record InstanceHeartbeat(string Instance, string Service, string? Environment, int IntervalSeconds, DateTimeOffset LastSeen, bool Stopped);

/// <summary>A user's alert rule (validated by <see cref="MonitoringValidation"/>). <see cref="Endpoint"/> is <c>METHOD /route</c>.</summary>
internal sealed record AlertRuleDefinition(string Name, string Kind, string? Environment, string? Endpoint, long? CheckId, double Threshold,
    int WindowMinutes, int MinRequests, int RenotifyMinutes, IReadOnlyList<long> ChannelIds, bool Enabled);

/// <summary>An alert rule with its evaluation state (<c>ok</c>, <c>firing</c> or <c>resolved</c>).</summary>
internal sealed record AlertRule(long Id, long ProjectId, AlertRuleDefinition Definition, string State, DateTimeOffset StateSince,
    DateTimeOffset? LastNotified, double? LastValue, string? Message, DateTimeOffset Created);

/// <summary>A notification channel. The secret/password is never returned by the API; <see cref="HasSecret"/> says whether one is set.</summary>
internal sealed record AlertChannel(long Id, long ProjectId, string Name, string Kind, string? Url, string? EmailTo, string? ProtectedSecret, DateTimeOffset Created)
{
    public bool HasSecret => !string.IsNullOrEmpty(ProtectedSecret);
}

/// <summary>What a user configures for a channel: kind <c>webhook</c> (URL, optional signing secret), <c>slack</c> (URL) or <c>email</c> (comma-separated addresses).</summary>
internal sealed record AlertChannelDefinition(string Name, string Kind, string? Url, string? EmailTo, string? Secret);

/// <summary>One transition of a rule (<c>firing</c>, <c>renotify</c>, <c>resolved</c>): the alert history.</summary>
internal sealed record AlertEvent(long Id, long ProjectId, long RuleId, string RuleName, string RuleKind, string Kind, string Message, double? Value,
    double Threshold, string? Environment, string? Endpoint, DateTimeOffset At);

/// <summary>A notification of one event to one channel, retried with backoff until delivered or out of attempts.</summary>
internal sealed record AlertDelivery(long Id, long EventId, long ChannelId, string ChannelName, string Status, int Attempts, DateTimeOffset? NextAttempt,
    string? LastError, DateTimeOffset Created, DateTimeOffset? DeliveredAt);

/// <summary>Traffic numbers for a window (from the per-minute rollups).</summary>
internal sealed record TrafficWindow(long Requests, long Errors, double P95Ms, double P99Ms)
{
    public double ErrorRatePercent => Requests == 0 ? 0 : 100.0 * Errors / Requests;
}

/// <summary>An error group first seen at <see cref="FirstSeen"/>.</summary>
internal sealed record NewErrorGroup(string Fingerprint, string Type, string Message, DateTimeOffset FirstSeen);
