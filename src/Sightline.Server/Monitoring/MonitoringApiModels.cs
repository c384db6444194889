namespace Sightline.Server.Monitoring;

/// <summary>Body of POST/PUT <c>/api/v1/uptime/checks</c>; omitted fields take the documented defaults.</summary>
internal sealed record CheckRequest(string? Name, string? Url, string? Method, int? ExpectedStatus, int? TimeoutMs, int? IntervalSeconds,
    string? BodyContains, int? FailureThreshold, bool? Enabled)
{
    public CheckDefinition ToDefinition() => new((Name ?? "").Trim(), (Url ?? "").Trim(), (Method ?? "GET").Trim().ToUpperInvariant(), ExpectedStatus ?? 200,
        TimeoutMs ?? 5000, IntervalSeconds ?? 60, string.IsNullOrEmpty(BodyContains) ? null : BodyContains, FailureThreshold ?? 3, Enabled ?? true);
}

/// <summary>Body of POST/PUT <c>/api/v1/alerts/rules</c>.</summary>
internal sealed record RuleRequest(string? Name, string? Kind, string? Environment, string? Endpoint, long? CheckId, double? Threshold, int? WindowMinutes,
    int? MinRequests, int? RenotifyMinutes, long[]? ChannelIds, bool? Enabled)
{
    public AlertRuleDefinition ToDefinition() => new((Name ?? "").Trim(), (Kind ?? "").Trim(), Blank(Environment), Blank(Endpoint), CheckId, Threshold ?? 0,
        WindowMinutes ?? 5, MinRequests ?? 0, RenotifyMinutes ?? 0, ChannelIds ?? [], Enabled ?? true);

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>Body of POST/PUT <c>/api/v1/alerts/channels</c>. On PUT an omitted secret keeps the stored one; an empty string removes it.</summary>
internal sealed record ChannelRequest(string? Name, string? Kind, string? Url, string? EmailTo, string? Secret)
{
    public AlertChannelDefinition ToDefinition() => new((Name ?? "").Trim(), (Kind ?? "").Trim(), string.IsNullOrWhiteSpace(Url) ? null : Url.Trim(),
        string.IsNullOrWhiteSpace(EmailTo) ? null : EmailTo.Trim(), string.IsNullOrEmpty(Secret) ? null : Secret);
}

/// <summary>A check as the API returns it, with uptime over the last day, week and 30 days (null: not monitored then).</summary>
internal sealed record CheckView(long Id, string Name, string Url, string Method, int ExpectedStatus, int TimeoutMs, int IntervalSeconds, string? BodyContains,
    int FailureThreshold, bool Enabled, string State, int ConsecutiveFailures, DateTimeOffset? LastChecked, int? LastStatus, double? LastDurationMs,
    string? LastError, double? UptimeDay, double? UptimeWeek, double? UptimeMonth);

/// <summary>A rule as the API returns it.</summary>
internal sealed record RuleView(long Id, string Name, string Kind, string? Environment, string? Endpoint, long? CheckId, double Threshold, int WindowMinutes,
    int MinRequests, int RenotifyMinutes, IReadOnlyList<long> ChannelIds, bool Enabled, string State, DateTimeOffset StateSince, DateTimeOffset? LastNotified,
    double? LastValue, string? Message);

/// <summary>A channel as the API returns it: never the secret, and only the host of the URL (Slack URLs are credentials).</summary>
internal sealed record ChannelView(long Id, string Name, string Kind, string? UrlHost, string? EmailTo, bool Signed);
