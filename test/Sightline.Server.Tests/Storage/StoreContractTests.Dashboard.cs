using Sightline.Protocol.Wire;
using Sightline.Server.Query;

namespace Sightline.Server.Tests.Storage;

/// <summary>The dashboard's queries, held to the same behaviour on every store.</summary>
public abstract partial class StoreContractTests
{
    private static readonly TimeSpan s_bucket = TimeSpan.FromMinutes(1);

    /// <summary>Five one-minute buckets: two before <see cref="s_minute"/>, its own and two after.</summary>
    private static (DateTimeOffset From, DateTimeOffset To) Window => (s_minute.AddMinutes(-2), s_minute.AddMinutes(3));

    [StoreFact]
    public async Task Traffic_RollupsInRange_SeriesStatusesEndpointsConsumersAndScope()
    {
        var project = NewProject();
        await Store.StoreAsync(project, new IngestBatch
        {
            Service = new ServiceInfo { Name = "orders", Instance = "i-1", Environment = "prod" },
            Metrics =
            [
                Snapshot(s_minute, Series(7, consumer: "acme"), Series(3, status: 500, errors: 3, consumer: "globex", route: "/orders")),
                Snapshot(s_minute.AddMinutes(1), Series(5)),
                Snapshot(s_minute.AddHours(-3), Series(100)),
            ],
        }, CancellationToken.None);

        var report = Store.GetTraffic(project, new TrafficScope(), Window.From, Window.To, s_bucket);

        Assert.Equal((15L, 3L, "", ""), (report.Totals.Requests, report.Totals.Errors, report.Totals.Method, report.Totals.Route));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => Window.From.AddMinutes(i)), report.Series.Select(p => p.Minute));
        Assert.Equal([0L, 0, 10, 5, 0], report.Series.Select(p => p.Requests));
        Assert.Equal([0L, 0, 3, 0, 0], report.Series.Select(p => p.Errors));
        Assert.True(report.Series[3].P50Ms > 0);
        Assert.Equal(0, report.Series[0].P99Ms);
        Assert.Equal([new StatusCount(200, 12), new StatusCount(500, 3)], report.Statuses);
        Assert.Equal([("/users/{id}", 12L), ("/orders", 3L)], report.Endpoints.Select(e => (e.Route, e.Requests)));
        Assert.Equal([("acme", 7L, 0L), ("", 5L, 0L), ("globex", 3L, 3L)], report.Consumers.Select(c => (c.Identifier, c.Requests, c.Errors)));

        var scoped = Store.GetTraffic(project, new TrafficScope(Method: "GET", Route: "/orders"), Window.From, Window.To, s_bucket);
        Assert.Equal(("GET", "/orders", 3L, 1.0), (scoped.Totals.Method, scoped.Totals.Route, scoped.Totals.Requests, scoped.Totals.ErrorRate));
        Assert.Equal(3, Assert.Single(scoped.Endpoints).Requests);
        Assert.Equal(5, Store.GetTraffic(project, new TrafficScope(Consumer: ""), Window.From, Window.To, s_bucket).Totals.Requests);
        Assert.Equal(15, Store.GetTraffic(project, new TrafficScope(Environment: "prod"), Window.From, Window.To, s_bucket).Totals.Requests);
        Assert.Equal(0, Store.GetTraffic(project, new TrafficScope(Environment: "staging"), Window.From, Window.To, s_bucket).Totals.Requests);
        Assert.Equal(0, Store.GetTraffic(NewProject(), new TrafficScope(), Window.From, Window.To, s_bucket).Totals.Requests);
    }

    [StoreFact]
    public async Task SlowestRequests_OneEndpointInRange_DurationDescendingAndLimited()
    {
        var project = NewProject();
        var outgoing = Record("/u/out", durationMs: 700);
        outgoing.Direction = WireConstants.DirectionOutgoing;
        await Store.StoreAsync(project, new IngestBatch
        {
            Records =
            [
                Record("/u/5", durationMs: 5), Record("/u/50", durationMs: 50, at: s_minute.AddSeconds(10)), Record("/u/20", durationMs: 20),
                Record("/u/80", durationMs: 80, at: s_minute.AddSeconds(40)), Record("/u/post", method: "POST", durationMs: 500),
                Record("/other", route: "/other", durationMs: 900), Record("/u/old", durationMs: 1000, at: s_minute.AddHours(-2)), outgoing,
            ],
        }, CancellationToken.None);

        var slowest = Store.GetSlowestRequests(project, "GET", "/users/{id}", Window.From, Window.To, 3);

        Assert.Equal(["/u/80", "/u/50", "/u/20"], slowest.Select(r => r.Path));
        Assert.Equal([80.0, 50, 20], slowest.Select(r => r.DurationMs));
        Assert.Equal(s_minute.AddSeconds(40), slowest[0].Timestamp);
        Assert.Equal(4, Store.GetSlowestRequests(project, "GET", "/users/{id}", Window.From, Window.To, 100).Count);
        Assert.Empty(Store.GetSlowestRequests(NewProject(), "GET", "/users/{id}", Window.From, Window.To));
    }

    [StoreFact]
    public async Task Outgoing_NestedAndStandaloneCalls_CountedOncePerHostEvenWhenRetried()
    {
        var project = NewProject();
        var incoming = Record("/checkout");
        RequestRecord Call(string? host, string? url, int status, double ms, DateTimeOffset at) => new()
        {
            Id = Guid.NewGuid(), Direction = WireConstants.DirectionOutgoing, Timestamp = at, Method = "POST", Host = host, Url = url,
            Path = "/x", Status = status, DurationNs = (long)(ms * 1_000_000),
        };
        incoming.Outgoing =
        [
            Call("payments.internal", null, 503, 2, s_minute),
            Call("payments.internal", null, 200, 4, s_minute),
            Call(null, "https://audit.internal:8443/log?x=1", 0, 1, s_minute),
        ];
        var standalone = Call("payments.internal", null, 201, 30, s_minute.AddMinutes(1));
        var batch = new IngestBatch { Service = new ServiceInfo { Name = "shop", Instance = "i-1", Environment = "prod" }, Records = [incoming, standalone] };

        await Store.StoreAsync(project, batch, CancellationToken.None);
        await Store.StoreAsync(project, batch, CancellationToken.None);
        var report = Store.GetOutgoing(project, null, Window.From, Window.To, s_bucket);

        Assert.Equal([("payments.internal", 3L, 1L), ("audit.internal:8443", 1L, 1L)], report.Hosts.Select(h => (h.Host, h.Calls, h.Errors)));
        Assert.Equal(30, report.Hosts[0].MaxMs);
        Assert.True(report.Hosts[0].P99Ms > report.Hosts[0].P50Ms);
        Assert.Equal([0L, 0, 3, 1, 0], report.Series.Select(p => p.Requests));
        Assert.Equal([0L, 0, 2, 0, 0], report.Series.Select(p => p.Errors));
        Assert.Equal(2, Store.GetOutgoing(project, "prod", Window.From, Window.To, s_bucket).Hosts.Count);
        Assert.Empty(Store.GetOutgoing(project, "staging", Window.From, Window.To, s_bucket).Hosts);
        Assert.Empty(Store.GetOutgoing(project, null, s_minute.AddHours(-2), s_minute.AddHours(-1), s_bucket).Hosts);
    }

    [StoreFact]
    public async Task Errors_SummaryAndGroupDetail_OccurrencesOncePerStoredRecord()
    {
        var project = NewProject();
        var r1 = Record("/users/1", 500, "acme");
        r1.Errors = [new ErrorInfo { Type = "TimeoutException", Message = "slow", Fingerprint = "fp-a" }];
        var r2 = Record("/orders", 500, at: s_minute.AddMinutes(1).AddSeconds(5), method: "POST", route: "/orders");
        r2.Errors = [new ErrorInfo { Type = "TimeoutException", Message = "slow again", Fingerprint = "fp-a" }, new ErrorInfo { Type = "KeyNotFoundException", Message = "gone" }];
        var r3 = Record("/users/3", 500, at: s_minute.AddHours(-2));
        r3.Errors = [new ErrorInfo { Type = "TimeoutException", Message = "old", Fingerprint = "fp-a" }];

        await Store.StoreAsync(project, new IngestBatch { Records = [r1, r2, r3] }, CancellationToken.None);
        await Store.StoreAsync(project, new IngestBatch { Records = [r1, r2] }, CancellationToken.None);

        var summary = Store.GetErrorSummary(project, Window.From, Window.To, s_bucket);
        Assert.Equal(new Dictionary<string, long> { ["fp-a"] = 2, ["KeyNotFoundException"] = 1 }, summary.CountsByFingerprint.OrderBy(kv => kv.Key).ToDictionary());
        Assert.Equal([0L, 0, 1, 2, 0], summary.Series.Select(p => p.Requests));

        var group = Store.GetErrorGroup(project, "fp-a", Window.From, Window.To, s_bucket);
        Assert.NotNull(group);
        Assert.Equal((3L, 2L, "slow again"), (group.Group.Count, group.CountInRange, group.Group.Message));
        Assert.Equal([0L, 0, 1, 1, 0], group.Series.Select(p => p.Requests));
        Assert.Equal([new AffectedCount("GET /users/{id}", 1), new AffectedCount("POST /orders", 1)], group.Endpoints);
        Assert.Equal([new AffectedCount("", 1), new AffectedCount("acme", 1)], group.Consumers);
        Assert.Equal([r2.Id, r1.Id, r3.Id], group.Samples.Select(s => s.Id));
        Assert.True(group.Samples[0].HasError);
        Assert.Equal([r2.Id], Store.GetErrorGroup(project, "fp-a", Window.From, Window.To, s_bucket, samples: 1)!.Samples.Select(s => s.Id));
        Assert.Null(Store.GetErrorGroup(project, "fp-unknown", Window.From, Window.To, s_bucket));
        Assert.Null(Store.GetErrorGroup(NewProject(), "fp-a", Window.From, Window.To, s_bucket));
    }

    [StoreFact]
    public async Task SecurityReport_RefusedAttempts_BucketedWithTopReasonsIpsAndPrefixes()
    {
        var project = NewProject();
        SecurityEvent Refused(int seconds, string reason, string? ip, string? prefix)
            => new() { Id = Guid.NewGuid(), Timestamp = s_minute.AddSeconds(seconds), Reason = reason, ClientIp = ip, KeyPrefix = prefix };
        var batch = new IngestBatch
        {
            SecurityEvents =
            [
                Refused(10, "invalid", "10.0.0.1", "sk_a"), Refused(20, "invalid", null, null), Refused(65, "revoked", "10.0.0.1", "sk_a"),
                Refused(-3600, "invalid", "10.9.9.9", "sk_old"),
            ],
        };

        await Store.StoreAsync(project, batch, CancellationToken.None);
        await Store.StoreAsync(project, batch, CancellationToken.None);
        var report = Store.GetSecurityReport(project, Window.From, Window.To, s_bucket);

        Assert.Equal(3, report.Total);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => Window.From.AddMinutes(i)), report.Buckets);
        Assert.Equal([new SecurityPoint(s_minute, "invalid", 2), new SecurityPoint(s_minute.AddMinutes(1), "revoked", 1)], report.Series);
        Assert.Equal([new AffectedCount("invalid", 2), new AffectedCount("revoked", 1)], report.Reasons);
        Assert.Equal([new AffectedCount("10.0.0.1", 2), new AffectedCount("(unknown)", 1)], report.ClientIps);
        Assert.Equal([new AffectedCount("sk_a", 2), new AffectedCount("(none)", 1)], report.KeyPrefixes);
        Assert.Equal(0, Store.GetSecurityReport(NewProject(), Window.From, Window.To, s_bucket).Total);
    }

    [StoreFact]
    public async Task Projects_ListedWithEnvironments()
    {
        var name = "shop-" + Guid.NewGuid().ToString("n");
        var (id, _) = Store.EnsureProject(name);
        Heartbeat Beat(string instance, string? environment) => new()
        {
            Id = Guid.NewGuid(), Kind = "startup", Timestamp = s_minute, IntervalSeconds = 60,
            Service = new ServiceInfo { Name = "shop", Instance = instance, Environment = environment },
        };
        await Store.StoreAsync(id, new IngestBatch { Heartbeats = [Beat("i-1", "staging"), Beat("i-2", "prod"), Beat("i-3", ""), Beat("i-4", null), Beat("i-5", "prod")] }, CancellationToken.None);

        var project = Assert.Single(Store.GetProjects(), p => p.Name == name);
        Assert.Equal(id, project.Id);
        Assert.Equal(["prod", "staging"], project.Environments);
    }

    [StoreFact]
    public void Users_ListedByName_SetPasswordReplacesTheOldOne()
    {
        var prefix = "user-" + Guid.NewGuid().ToString("n");
        Store.EnsureUser(prefix + "-b", "first password");
        Store.EnsureUser(prefix + "-a", "first password");

        Assert.Equal([prefix + "-a", prefix + "-b"], Store.GetUsers().Select(u => u.Username).Where(u => u.StartsWith(prefix, StringComparison.Ordinal)));
        Assert.True(Store.SetPassword(prefix + "-a", "second password"));
        Assert.True(Store.VerifyUser(prefix + "-a", "second password"));
        Assert.False(Store.VerifyUser(prefix + "-a", "first password"));
        Assert.True(Store.VerifyUser(prefix + "-b", "first password"));
        Assert.False(Store.SetPassword("nobody-" + prefix, "x"));
    }

    [StoreFact]
    public async Task Retention_DashboardRollupsByRollupCutoff_ErrorSamplesByRecordCutoff()
    {
        var project = NewProject();
        var now = DateTimeOffset.UtcNow;
        RequestRecord Failing(DateTimeOffset at)
        {
            var r = Record("/old", 500, at: at);
            r.Errors = [new ErrorInfo { Type = "E", Message = "m", Fingerprint = "fp-retention" }];
            r.Outgoing = [new RequestRecord { Id = Guid.NewGuid(), Direction = WireConstants.DirectionOutgoing, Timestamp = at, Method = "GET", Host = "api.example", Path = "/", Status = 200 }];
            return r;
        }
        var (ancient, old, recent) = (Failing(now.AddDays(-100)), Failing(now.AddDays(-10)), Failing(now.AddMinutes(-1)));
        await Store.StoreAsync(project, new IngestBatch { Records = [ancient, old, recent] }, CancellationToken.None);

        await Store.ApplyRetentionAsync(now.AddDays(-7), now.AddDays(-90), CancellationToken.None);

        var hour = TimeSpan.FromHours(1);
        Assert.Empty(Store.GetErrorSummary(project, now.AddDays(-101), now.AddDays(-99), hour).CountsByFingerprint);
        Assert.Empty(Store.GetOutgoing(project, null, now.AddDays(-101), now.AddDays(-99), hour).Hosts);
        Assert.Equal(1, Store.GetErrorSummary(project, now.AddDays(-11), now.AddDays(-9), hour).CountsByFingerprint["fp-retention"]);
        Assert.Equal(1, Assert.Single(Store.GetOutgoing(project, null, now.AddDays(-11), now.AddDays(-9), hour).Hosts).Calls);
        var group = Store.GetErrorGroup(project, "fp-retention", now.AddDays(-11), now.AddMinutes(1), TimeSpan.FromDays(1));
        Assert.NotNull(group);
        Assert.Equal(2, group.CountInRange);
        Assert.Equal([recent.Id], group.Samples.Select(s => s.Id));
    }
}
