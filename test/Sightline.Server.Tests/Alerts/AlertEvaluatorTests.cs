using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sightline.Protocol.Wire;
using Sightline.Server.Monitoring;
using Sightline.Server.Tests.Uptime;

namespace Sightline.Server.Tests.Alerts;

/// <summary>Rule evaluation over real rollups and incidents in SQLite, driven by a fake clock.</summary>
public sealed class AlertEvaluatorTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly SqliteMonitoringDatabase _db = new();
    private readonly IMonitoringStore _store;
    private readonly FakeTimeProvider _time = new(T0);
    private readonly AlertEvaluator _evaluator;
    private readonly long _channel;

    public AlertEvaluatorTests()
    {
        _store = _db.NewStore();
        _evaluator = new AlertEvaluator(_store, _time, NullLogger<AlertEvaluator>.Instance);
        _channel = _store.CreateChannel(1, new AlertChannelDefinition("hook", "webhook", "http://127.0.0.1:9/hook", null, null), null, T0);
    }

    public void Dispose() => _db.Dispose();

    private long Rule(string kind, double threshold, int window = 5, int minRequests = 0, int renotify = 0, string? environment = null, string? endpoint = null, long? checkId = null)
        => _store.CreateRule(1, new AlertRuleDefinition(kind + " rule", kind, environment, endpoint, checkId, threshold, window, minRequests, renotify, [_channel], true), T0);

    private List<string> Kinds() => _store.GetEvents(1).OrderBy(e => e.Id).Select(e => e.Kind).ToList();

    [Fact]
    public void ErrorRate_AboveThreshold_FiresOnceWhileFiringThenResolvesWhenTheWindowIsClean()
    {
        var rule = Rule("error_rate", threshold: 5, window: 5, minRequests: 20);
        Rollup(T0, "GET", "/users/{id}", count: 100, errors: 10);
        _time.Advance(TimeSpan.FromMinutes(1));

        var fired = Assert.Single(_evaluator.Evaluate(1));
        Assert.Equal("firing", fired.Kind);
        Assert.Equal(10, fired.Value);
        Assert.StartsWith("Error rate 10 % over 5 min (10 of 100 requests", fired.Message, StringComparison.Ordinal);
        Assert.Equal("firing", _store.GetRule(1, rule)!.State);
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(30));
            Assert.Empty(_evaluator.Evaluate(1)); // still firing: no new notification (re-notify off)
        }
        _time.Advance(TimeSpan.FromMinutes(3)); // the bad minute left the window
        Assert.Equal("resolved", Assert.Single(_evaluator.Evaluate(1)).Kind);
        Assert.Equal("resolved", _store.GetRule(1, rule)!.State);
        Assert.Equal(["firing", "resolved"], Kinds());
        Assert.Equal(2, _store.GetDeliveries(1, false).Count); // one notification per transition
    }

    [Fact]
    public void ErrorRate_FewerRequestsThanTheMinimum_DoesNotFire()
    {
        Rule("error_rate", threshold: 5, minRequests: 20);
        Rollup(T0, "GET", "/users/{id}", count: 10, errors: 9);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(_evaluator.Evaluate(1));
    }

    [Fact]
    public void Renotify_WhileFiring_NotifiesAgainOnlyAfterTheInterval()
    {
        Rule("refused_keys", threshold: 5, window: 60, renotify: 10);
        for (var i = 0; i < 6; i++) Refused(T0.AddSeconds(i));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("firing", Assert.Single(_evaluator.Evaluate(1)).Kind);
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Empty(_evaluator.Evaluate(1));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("renotify", Assert.Single(_evaluator.Evaluate(1)).Kind);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(_evaluator.Evaluate(1));
        _time.Advance(TimeSpan.FromMinutes(60));
        Assert.Equal("resolved", Assert.Single(_evaluator.Evaluate(1)).Kind);
        _time.Advance(TimeSpan.FromMinutes(60));
        Assert.Empty(_evaluator.Evaluate(1)); // resolved stays quiet
    }

    [Fact]
    public void Latency_PerEndpointAndEnvironment_OnlyTheSlowEndpointFires()
    {
        var slow = Rule("latency_p95", threshold: 500, endpoint: "GET /reports", environment: "prod");
        var fast = Rule("latency_p99", threshold: 500, endpoint: "GET /users/{id}", environment: "prod");
        Rollup(T0, "GET", "/reports", count: 50, errors: 0, latencyMs: 1500);
        Rollup(T0, "GET", "/users/{id}", count: 50, errors: 0, latencyMs: 12);
        Rollup(T0, "GET", "/users/{id}", count: 50, errors: 0, latencyMs: 4000, environment: "staging"); // another environment
        _time.Advance(TimeSpan.FromMinutes(1));

        var e = Assert.Single(_evaluator.Evaluate(1));
        Assert.Equal(slow, e.RuleId);
        Assert.InRange(e.Value!.Value, 1000, 1500);
        Assert.Equal("ok", _store.GetRule(1, fast)!.State);
        Assert.Contains("on GET /reports in prod", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NewErrorGroup_AppearsThenAnotherAppears_FiresThenRenotifiesThenResolves()
    {
        Rule("new_error_group", threshold: 0, window: 10);
        ErrorGroup("f-old", "System.Exception", T0.AddDays(-1));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(_evaluator.Evaluate(1)); // old groups are not new

        ErrorGroup("f1", "System.TimeoutException", _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(30));
        var first = Assert.Single(_evaluator.Evaluate(1));
        Assert.Contains("System.TimeoutException", first.Message, StringComparison.Ordinal);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(_evaluator.Evaluate(1));
        ErrorGroup("f2", "System.InvalidOperationException", _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("renotify", Assert.Single(_evaluator.Evaluate(1)).Kind); // a second new group is news
        _time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal("resolved", Assert.Single(_evaluator.Evaluate(1)).Kind);
    }

    [Fact]
    public void CheckDown_AndAppDown_FollowOpenIncidents()
    {
        var checkId = _store.CreateCheck(1, new CheckDefinition("api", "http://127.0.0.1:9/", "GET", 200, 1000, 30, null, 1, true), T0);
        var otherCheck = _store.CreateCheck(1, new CheckDefinition("other", "http://127.0.0.1:9/", "GET", 200, 1000, 30, null, 1, true), T0);
        var check = Rule("check_down", 0, checkId: checkId);
        var app = Rule("app_down", 0, environment: "prod");
        _store.OpenIncident(1, "check", otherCheck.ToString(CultureInfo.InvariantCulture), "other", T0, "Expected status 200, got 500.");
        _store.OpenIncident(1, HeartbeatMonitor.EnvironmentKind, "orders/staging", "orders (staging)", T0, "silent");
        Assert.Empty(_evaluator.Evaluate(1)); // neither the watched check nor the watched environment

        _store.OpenIncident(1, "check", checkId.ToString(CultureInfo.InvariantCulture), "api", T0, "Timed out after 1000 ms.");
        _store.OpenIncident(1, HeartbeatMonitor.EnvironmentKind, "orders/prod", "orders (prod)", T0, "No heartbeat from any of 2 instance(s) for 190 s.");
        _time.Advance(TimeSpan.FromSeconds(30));
        var fired = _evaluator.Evaluate(1).ToDictionary(e => e.RuleId);
        Assert.Equal(2, fired.Count);
        Assert.Contains("api since 2026-03-02 10:00:00 UTC (Timed out after 1000 ms.)", fired[check].Message, StringComparison.Ordinal);
        Assert.Contains("orders (prod)", fired[app].Message, StringComparison.Ordinal);

        _store.CloseIncident(1, "check", checkId.ToString(CultureInfo.InvariantCulture), _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(30));
        var resolved = Assert.Single(_evaluator.Evaluate(1));
        Assert.Equal((check, "resolved"), (resolved.RuleId, resolved.Kind));
    }

    [Fact]
    public void DisabledRule_IsNotEvaluated()
    {
        var id = Rule("refused_keys", threshold: 0);
        var rule = _store.GetRule(1, id)!;
        _store.UpdateRule(1, id, rule.Definition with { Enabled = false });
        Refused(T0);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(_evaluator.Evaluate(1));
    }

    private void Rollup(DateTimeOffset minute, string method, string route, long count, long errors, double latencyMs = 10, string environment = "prod")
    {
        var counts = new long[HistogramBuckets.LatencyMs.Length + 1];
        counts[HistogramBuckets.IndexOf(HistogramBuckets.LatencyMs, latencyMs)] = count;
        _db.Sql("""
            INSERT INTO rollups (project_id, minute, environment, route, method, status, consumer, count, errors, duration_sum, duration_max, duration_counts,
                request_size_sum, response_size_sum, response_size_counts)
            VALUES (1, @m, @e, @r, @method, 200, '', @c, @err, 0, @max, @counts, 0, 0, @sizes)
            """, ("@m", minute.ToUnixTimeMilliseconds()), ("@e", environment), ("@r", route), ("@method", method), ("@c", count), ("@err", errors),
            ("@max", latencyMs), ("@counts", _db.Histogram(counts)), ("@sizes", _db.Histogram(new long[HistogramBuckets.SizeBytes.Length + 1])));
    }

    private void Refused(DateTimeOffset at) => _db.Sql(
        "INSERT INTO security_events (id, project_id, ts, kind, reason) VALUES (@id, 1, @ts, 'apikey.refused', 'unknown key')",
        ("@id", _db.Id(Guid.NewGuid())), ("@ts", at.ToUnixTimeMilliseconds()));

    private void ErrorGroup(string fingerprint, string type, DateTimeOffset firstSeen) => _db.Sql(
        "INSERT INTO error_groups (project_id, fingerprint, type, message, first_seen, last_seen, count) VALUES (1, @f, @t, 'boom', @s, @s, 1)",
        ("@f", fingerprint), ("@t", type), ("@s", firstSeen.ToUnixTimeMilliseconds()));
}
