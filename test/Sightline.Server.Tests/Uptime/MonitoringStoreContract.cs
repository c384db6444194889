using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sightline.Protocol.Wire;
using Sightline.Server.Monitoring;

namespace Sightline.Server.Tests.Uptime;

/// <summary>
/// The behaviour both monitoring stores must have, run against a real SQLite file and a real
/// PostgreSQL database by the subclasses.
/// </summary>
public abstract class MonitoringStoreContract : IDisposable
{
    private protected static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private MonitoringDatabase? _db;

    private protected abstract MonitoringDatabase CreateDatabase();

    private protected MonitoringDatabase Db => _db ??= CreateDatabase();

    public void Dispose() => _db?.Dispose();

    private protected static CheckDefinition Check(string name = "api", string url = "http://127.0.0.1:9/health", int interval = 30, int threshold = 3)
        => new(name, url, "GET", 200, 1000, interval, null, threshold, true);

    [SkippableFact]
    public void ClaimDueChecks_TwoServersClaimingAtOnce_EachCheckClaimedOncePerInterval()
    {
        var a = Db.NewStore();
        var b = Db.NewStore();
        var ids = Enumerable.Range(0, 40).Select(i => a.CreateCheck(1, Check("c" + i), T0)).ToHashSet();

        for (var round = 0; round < 3; round++)
        {
            var now = T0.AddSeconds(30 * round);
            IReadOnlyList<UptimeCheck> fromA = [], fromB = [];
            Parallel.Invoke(() => fromA = a.ClaimDueChecks(now, 100), () => fromB = b.ClaimDueChecks(now, 100));
            var claimed = fromA.Select(c => c.Id).Concat(fromB.Select(c => c.Id)).ToList();
            Assert.Equal(ids.Count, claimed.Count);
            Assert.True(ids.SetEquals(claimed));
            Assert.Empty(a.ClaimDueChecks(now.AddSeconds(29), 100)); // not due again within the interval
        }
    }

    [SkippableFact]
    public void ClaimDueChecks_DisabledOrEdited_FollowsTheDefinition()
    {
        var store = Db.NewStore();
        var id = store.CreateCheck(1, Check() with { Enabled = false }, T0);
        Assert.Empty(store.ClaimDueChecks(T0, 10));
        Assert.True(store.UpdateCheck(1, id, Check("renamed", interval: 60), T0.AddSeconds(5)));
        var claimed = Assert.Single(store.ClaimDueChecks(T0.AddSeconds(5), 10));
        Assert.Equal("renamed", claimed.Definition.Name);
        Assert.Equal(60, claimed.Definition.IntervalSeconds);
        Assert.False(store.UpdateCheck(2, id, Check(), T0)); // another project's check is not reachable
        Assert.Null(store.GetCheck(2, id));
    }

    [SkippableFact]
    public void RecordCheckResult_ThresholdFailures_OpensIncidentFromFirstFailureAndClosesOnRecovery()
    {
        var store = Db.NewStore();
        var id = store.CreateCheck(1, Check(threshold: 3), T0);
        Assert.Equal("up", store.RecordCheckResult(id, new CheckResult(true, 200, 5, null, T0)).State);
        Assert.Null(store.RecordCheckResult(id, new CheckResult(false, 503, 5, "Expected status 200, got 503.", T0.AddSeconds(30))).OpenedIncident);
        Assert.Null(store.RecordCheckResult(id, new CheckResult(false, 503, 5, "Expected status 200, got 503.", T0.AddSeconds(60))).OpenedIncident);
        var third = store.RecordCheckResult(id, new CheckResult(false, 503, 5, "Expected status 200, got 503.", T0.AddSeconds(90)));
        Assert.NotNull(third.OpenedIncident);
        Assert.Equal("down", third.State);
        Assert.Null(store.RecordCheckResult(id, new CheckResult(false, null, 5, "Connection failed.", T0.AddSeconds(120))).OpenedIncident); // still the same incident
        var open = Assert.Single(store.GetOpenIncidents(1));
        Assert.Equal(T0.AddSeconds(30), open.Started);
        Assert.Equal("Expected status 200, got 503.", open.Reason);

        var recovered = store.RecordCheckResult(id, new CheckResult(true, 200, 5, null, T0.AddSeconds(150)));
        Assert.Equal(third.OpenedIncident, recovered.ClosedIncident);
        Assert.Empty(store.GetOpenIncidents(1));
        var incident = Assert.Single(store.GetIncidents(1, T0, T0.AddHours(1), "check", id.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(TimeSpan.FromSeconds(120), incident.Duration(T0.AddHours(1)));
        var check = store.GetCheck(1, id)!;
        Assert.Equal("up", check.State);
        Assert.Equal(0, check.ConsecutiveFailures);
    }

    [SkippableFact]
    public void UpdateCheck_DisablingADownCheck_ClosesItsIncident()
    {
        var store = Db.NewStore();
        var id = store.CreateCheck(1, Check(threshold: 1), T0);
        Assert.NotNull(store.RecordCheckResult(id, new CheckResult(false, 500, 1, "500", T0)).OpenedIncident);
        Assert.True(store.UpdateCheck(1, id, Check(threshold: 1) with { Enabled = false }, T0.AddMinutes(10)));
        Assert.Empty(store.GetOpenIncidents(1));
        Assert.Equal(T0.AddMinutes(10), Assert.Single(store.GetIncidents(1, T0, T0.AddHours(1))).Ended);
        Assert.Equal(("unknown", 0), (store.GetCheck(1, id)!.State, store.GetCheck(1, id)!.ConsecutiveFailures));
    }

    [SkippableFact]
    public void RecordCheckResult_FlappingBelowThreshold_NeverOpensAnIncident()
    {
        var store = Db.NewStore();
        var id = store.CreateCheck(1, Check(threshold: 3), T0);
        for (var i = 0; i < 20; i++)
        {
            var ok = i % 3 == 2; // fail, fail, ok, fail, fail, ok …
            Assert.Null(store.RecordCheckResult(id, new CheckResult(ok, ok ? 200 : 500, 1, ok ? null : "500", T0.AddSeconds(30 * i))).OpenedIncident);
        }
        Assert.Empty(store.GetIncidents(1, T0.AddDays(-1), T0.AddDays(1)));
    }

    [SkippableFact]
    public void OpenIncident_TwiceForOneTarget_KeepsOneOpenIncident()
    {
        var store = Db.NewStore();
        var other = Db.NewStore();
        Assert.NotNull(store.OpenIncident(1, "service", "orders", "orders", T0, "silent"));
        Assert.Null(other.OpenIncident(1, "service", "orders", "orders", T0.AddMinutes(1), "silent"));
        Assert.NotNull(store.CloseIncident(1, "service", "orders", T0.AddMinutes(5)));
        Assert.Null(store.CloseIncident(1, "service", "orders", T0.AddMinutes(6)));
        Assert.NotNull(store.OpenIncident(1, "service", "orders", "orders", T0.AddMinutes(10), "silent again"));
        Assert.Equal(2, store.GetIncidents(1, T0, T0.AddHours(1), "service", "orders").Count);
        Assert.Empty(store.GetIncidents(1, T0.AddMinutes(6), T0.AddMinutes(9), "service")); // overlap query excludes the gap
    }

    [SkippableFact]
    public void TryAcquireLease_SecondServer_GetsItOnlyAfterExpiry()
    {
        var a = Db.NewStore();
        var b = Db.NewStore();
        Assert.True(a.TryAcquireLease("alert-evaluator", "a", T0, TimeSpan.FromSeconds(60)));
        Assert.False(b.TryAcquireLease("alert-evaluator", "b", T0.AddSeconds(30), TimeSpan.FromSeconds(60)));
        Assert.True(a.TryAcquireLease("alert-evaluator", "a", T0.AddSeconds(30), TimeSpan.FromSeconds(60))); // renewal
        Assert.False(b.TryAcquireLease("alert-evaluator", "b", T0.AddSeconds(89), TimeSpan.FromSeconds(60)));
        Assert.True(b.TryAcquireLease("alert-evaluator", "b", T0.AddSeconds(90), TimeSpan.FromSeconds(60)));
        Assert.True(a.TryAcquireLease("heartbeat-monitor", "a", T0.AddSeconds(90), TimeSpan.FromSeconds(60))); // leases are independent
    }

    [SkippableFact]
    public void GetTraffic_FromRollups_FiltersByEnvironmentAndEndpointAndComputesPercentiles()
    {
        var store = Db.NewStore();
        var minute = T0.ToUnixTimeMilliseconds();
        AddRollup(minute, "prod", "GET", "/users/{id}", 200, 90, 0, latencyMs: 20);
        AddRollup(minute, "prod", "GET", "/users/{id}", 500, 10, 10, latencyMs: 900);
        AddRollup(minute + 60_000, "prod", "POST", "/orders", 201, 100, 0, latencyMs: 3);
        AddRollup(minute, "staging", "GET", "/users/{id}", 500, 50, 50, latencyMs: 20);
        AddRollup(minute - 600_000, "prod", "GET", "/users/{id}", 500, 1000, 1000, latencyMs: 20); // outside the window

        var users = store.GetTraffic(1, "prod", "GET", "/users/{id}", T0, T0.AddMinutes(5));
        Assert.Equal(100, users.Requests);
        Assert.Equal(10, users.Errors);
        Assert.Equal(10, users.ErrorRatePercent, 6);
        Assert.InRange(users.P95Ms, 750, 1000);
        Assert.InRange(users.P99Ms, 750, 1000);
        var prod = store.GetTraffic(1, "prod", null, null, T0, T0.AddMinutes(5));
        Assert.Equal(200, prod.Requests);
        Assert.Equal(150, store.GetTraffic(1, null, "GET", "/users/{id}", T0.AddSeconds(30), T0.AddMinutes(5)).Requests); // partial first minute counts whole
        Assert.Equal(0, store.GetTraffic(2, null, null, null, T0, T0.AddMinutes(5)).Requests);
    }

    [SkippableFact]
    public void ReadQueries_SecurityEventsErrorGroupsInstances_ReadTheMainTables()
    {
        var store = Db.NewStore();
        for (var i = 0; i < 7; i++)
            Db.Sql("INSERT INTO security_events (id, project_id, ts, kind, reason) VALUES (@id, 1, @ts, 'apikey.refused', 'unknown key')",
                ("@id", Db.Id(Guid.NewGuid())), ("@ts", T0.AddMinutes(i).ToUnixTimeMilliseconds()));
        Db.Sql("INSERT INTO error_groups (project_id, fingerprint, type, message, first_seen, last_seen, count) VALUES (1, 'f1', 'System.Exception', 'old', @a, @b, 3)",
            ("@a", T0.AddDays(-2).ToUnixTimeMilliseconds()), ("@b", T0.ToUnixTimeMilliseconds()));
        Db.Sql("INSERT INTO error_groups (project_id, fingerprint, type, message, first_seen, last_seen, count) VALUES (1, 'f2', 'TimeoutException', 'new', @a, @a, 1)",
            ("@a", T0.AddMinutes(3).ToUnixTimeMilliseconds()));
        Db.Sql("INSERT INTO instances (project_id, instance, service, environment, interval_seconds, last_seen, state) VALUES (1, 'i-1', 'orders', 'prod', 60, @t, 'running')",
            ("@t", T0.ToUnixTimeMilliseconds()));

        Assert.Equal(5, store.CountSecurityEvents(1, T0.AddMinutes(2), T0.AddMinutes(10)));
        var fresh = Assert.Single(store.GetErrorGroupsFirstSeenSince(1, T0));
        Assert.Equal("TimeoutException", fresh.Type);
        var instance = Assert.Single(store.GetInstanceHeartbeats(1));
        Assert.Equal(("i-1", "orders", "prod", 60, T0, false), (instance.Instance, instance.Service, instance.Environment, instance.IntervalSeconds, instance.LastSeen, instance.Stopped));
    }

    [SkippableFact]
    public void RulesChannelsEvents_RoundTripAndDeliveriesAreClaimedOnce()
    {
        var store = Db.NewStore();
        var other = Db.NewStore();
        var hook = store.CreateChannel(1, new AlertChannelDefinition("ops hook", "webhook", "http://127.0.0.1:9/hook", null, null), "protected", T0);
        var mail = store.CreateChannel(1, new AlertChannelDefinition("ops mail", "email", null, "ops@example.com", null), null, T0);
        var rule = store.CreateRule(1, new AlertRuleDefinition("errors", "error_rate", "prod", "GET /users/{id}", null, 5, 5, 20, 30, [hook, mail], true), T0);
        var r = store.GetRule(1, rule)!;
        Assert.Equal(("errors", "error_rate", "prod", "GET /users/{id}", 5.0, 5, 20, 30), (r.Definition.Name, r.Definition.Kind, r.Definition.Environment, r.Definition.Endpoint,
            r.Definition.Threshold, r.Definition.WindowMinutes, r.Definition.MinRequests, r.Definition.RenotifyMinutes));
        Assert.Equal([hook, mail], r.Definition.ChannelIds);
        Assert.Equal("ok", r.State);
        Assert.True(store.GetChannel(1, hook)!.HasSecret);
        Assert.True(store.UpdateChannel(1, hook, new AlertChannelDefinition("ops hook 2", "webhook", "http://127.0.0.1:9/hook2", null, null), null, keepSecret: true));
        Assert.Equal("protected", store.GetChannel(1, hook)!.ProtectedSecret);

        store.SaveRuleState(rule, "firing", T0.AddMinutes(1), T0.AddMinutes(1), 12.5, "Error rate 12.5 %");
        var eventId = store.AddEvent(new AlertEvent(0, 1, rule, "errors", "error_rate", "firing", "Error rate 12.5 %", 12.5, 5, "prod", "GET /users/{id}", T0.AddMinutes(1)), [hook, mail]);
        Assert.Equal("firing", store.GetRule(1, rule)!.State);
        Assert.Equal("Error rate 12.5 %", Assert.Single(store.GetEvents(1)).Message);

        IReadOnlyList<AlertDelivery> x = [], y = [];
        Parallel.Invoke(() => x = store.ClaimDueDeliveries(T0.AddMinutes(1), T0.AddMinutes(2), 10), () => y = other.ClaimDueDeliveries(T0.AddMinutes(1), T0.AddMinutes(2), 10));
        var claimed = x.Concat(y).ToList();
        Assert.Equal(2, claimed.Count);
        Assert.All(claimed, d => Assert.Equal((eventId, 1), (d.EventId, d.Attempts)));
        Assert.Empty(store.ClaimDueDeliveries(T0.AddMinutes(1).AddSeconds(59), T0.AddMinutes(3), 10)); // held by the claim

        var toHook = claimed.Single(d => d.ChannelId == hook);
        store.CompleteDelivery(toHook.Id, "pending", "The receiver answered HTTP 500.", T0.AddMinutes(5), T0.AddMinutes(1));
        store.CompleteDelivery(claimed.Single(d => d.ChannelId == mail).Id, "delivered", null, null, T0.AddMinutes(1));
        var problem = Assert.Single(store.GetDeliveries(1, problemsOnly: true));
        Assert.Equal(("ops hook 2", "pending", "The receiver answered HTTP 500."), (problem.ChannelName, problem.Status, problem.LastError));
        Assert.Empty(store.ClaimDueDeliveries(T0.AddMinutes(4), T0.AddMinutes(6), 10));
        Assert.Equal(2, Assert.Single(store.ClaimDueDeliveries(T0.AddMinutes(5), T0.AddMinutes(6), 10)).Attempts);

        Assert.True(store.DeleteRule(1, rule));
        Assert.True(store.DeleteChannel(1, mail));
        Assert.Null(store.GetRule(1, rule));
        Assert.Single(store.GetChannels(1));
    }

    [SkippableFact]
    public async Task UptimeChecker_TwoServersOnOneDatabase_RunEachCheckOncePerInterval()
    {
        await using var target = await TargetApp.StartAsync();
        var time = new FakeTimeProvider(T0);
        var setup = Db.NewStore();
        var id = setup.CreateCheck(1, Check(url: target.Url.ToString(), interval: 30), T0);
        var a = new UptimeChecker(Db.NewStore(), HttpClients.Factory, time, NullLogger<UptimeChecker>.Instance);
        var b = new UptimeChecker(Db.NewStore(), HttpClients.Factory, time, NullLogger<UptimeChecker>.Instance);

        var runs = 0;
        for (var tick = 0; tick < 60; tick++) // two servers ticking every second for a minute: intervals start at 0 s and 30 s
        {
            var results = await Task.WhenAll(a.RunDueAsync(CancellationToken.None), b.RunDueAsync(CancellationToken.None));
            runs += results.Sum();
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(2, runs);
        Assert.Equal(2, target.Hits);
        Assert.Equal("up", setup.GetCheck(1, id)!.State);
    }

    [SkippableFact]
    public void Prune_OldHistory_DeletedButOpenIncidentsAndPendingDeliveriesKept()
    {
        var store = Db.NewStore();
        var channel = store.CreateChannel(1, new AlertChannelDefinition("hook", "webhook", "http://127.0.0.1:9/", null, null), null, T0);
        AlertEvent Event(DateTimeOffset at) => new(0, 1, 1, "r", "app_down", "firing", "m", null, 0, null, null, at);
        var oldDelivered = store.AddEvent(Event(T0.AddDays(-100)), [channel]);
        store.CompleteDelivery(Assert.Single(store.ClaimDueDeliveries(T0.AddDays(-100), T0.AddDays(-100).AddMinutes(1), 10)).Id, "delivered", null, null, T0.AddDays(-100));
        var oldPending = store.AddEvent(Event(T0.AddDays(-95)), [channel]);
        store.AddEvent(Event(T0), [channel]);
        store.OpenIncident(1, "service", "a", "a", T0.AddDays(-200), "down");
        store.CloseIncident(1, "service", "a", T0.AddDays(-150));
        store.OpenIncident(1, "service", "b", "b", T0.AddDays(-120), "still down");

        Assert.Equal(3, store.Prune(T0.AddDays(-90))); // the delivered delivery, its event, the closed incident

        var events = store.GetEvents(1).Select(e => e.Id).ToList();
        Assert.DoesNotContain(oldDelivered, events);
        Assert.Contains(oldPending, events); // still being delivered
        Assert.Equal(2, events.Count);
        Assert.Equal("b", Assert.Single(store.GetIncidents(1, T0.AddYears(-1), T0)).TargetKey);
    }

    private void AddRollup(long minute, string environment, string method, string route, int status, long count, long errors, double latencyMs)
    {
        var counts = new long[HistogramBuckets.LatencyMs.Length + 1];
        counts[HistogramBuckets.IndexOf(HistogramBuckets.LatencyMs, latencyMs)] = count;
        Db.Sql("""
            INSERT INTO rollups (project_id, minute, environment, route, method, status, consumer, count, errors, duration_sum, duration_max, duration_counts,
                request_size_sum, response_size_sum, response_size_counts)
            VALUES (1, @m, @e, @r, @method, @s, '', @c, @err, @sum, @max, @counts, 0, 0, @sizes)
            """, ("@m", minute), ("@e", environment), ("@r", route), ("@method", method), ("@s", status), ("@c", count), ("@err", errors),
            ("@sum", latencyMs * count), ("@max", latencyMs), ("@counts", Db.Histogram(counts)), ("@sizes", Db.Histogram(new long[HistogramBuckets.SizeBytes.Length + 1])));
    }
}

public sealed class SqliteMonitoringStoreTests : MonitoringStoreContract
{
    private protected override MonitoringDatabase CreateDatabase() => new SqliteMonitoringDatabase();
}

public sealed class PostgresMonitoringStoreTests : MonitoringStoreContract
{
    private protected override MonitoringDatabase CreateDatabase()
    {
        PostgresMonitoringDatabase.SkipWhenUnavailable();
        return new PostgresMonitoringDatabase();
    }
}
