using Sightline.Protocol.Wire;
using Sightline.Server.Query;
using Sightline.Server.Storage;

namespace Sightline.Server.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="ISightlineStore"/> must have, run against each real store by a
/// subclass. Each test works in its own project, so tests of a class share one database.
/// </summary>
public abstract partial class StoreContractTests(IStoreFixture fixture)
{
    private static readonly int s_latencyLength = HistogramBuckets.LatencyMs.Length + 1;
    private static readonly DateTimeOffset s_minute = new DateTimeOffset(DateTimeOffset.UtcNow.Year, DateTimeOffset.UtcNow.Month, DateTimeOffset.UtcNow.Day,
        DateTimeOffset.UtcNow.Hour, DateTimeOffset.UtcNow.Minute, 0, TimeSpan.Zero).AddMinutes(-30);

    protected ISightlineStore Store => fixture.Store;

    private long NewProject() => Store.EnsureProject("p-" + Guid.NewGuid().ToString("n")).Id;

    private static RequestRecord Record(string path = "/users/1", int status = 200, string? consumer = null, DateTimeOffset? at = null,
        string method = "GET", string route = "/users/{id}", double durationMs = 5) => new()
    {
        Id = Guid.NewGuid(), Timestamp = at ?? s_minute, Method = method, RouteTemplate = route, Path = path, Status = status,
        DurationNs = (long)(durationMs * 1_000_000), RequestSize = 10, ResponseSize = 100, ClientIp = "10.0.0.1",
        Consumer = consumer is null ? null : new ConsumerInfo { Identifier = consumer, Name = consumer + " name", Group = "tier-a" },
    };

    private static MetricsSnapshot Snapshot(DateTimeOffset start, params MetricSeries[] series)
        => new() { Id = Guid.NewGuid(), PeriodStart = start, PeriodEnd = start.AddSeconds(10), Series = [.. series] };

    private static MetricSeries Series(long count, int bucket = 5, int status = 200, string? consumer = null, string route = "/users/{id}", long errors = 0, double max = 5)
    {
        var counts = new long[s_latencyLength];
        counts[bucket] = count;
        return new MetricSeries
        {
            RouteTemplate = route, Method = "GET", Status = status, Consumer = consumer, ConsumerName = consumer is null ? null : consumer + " name",
            Count = count, ErrorCount = errors, Duration = new Histogram { Counts = counts, Sum = count * max, Max = max },
            ResponseSize = new Histogram { Counts = [0, count], Sum = count * 50, Max = 50 },
        };
    }

    private static RequestFilter Filter(string? route = null, string? method = null, int? statusClass = null, string? consumer = null, string? q = null,
        bool? hasError = null, double? minDurationMs = null, DateTimeOffset? from = null, DateTimeOffset? to = null, string? cursor = null, int limit = 50)
        => new(from, to, route, method, statusClass, consumer, q, hasError, minDurationMs, cursor, limit);

    private Overview OverviewAround(long project, DateTimeOffset at) => Store.GetOverview(project, at.AddMinutes(-5), at.AddMinutes(5));

    [StoreFact]
    public async Task Store_RetriedBatch_StoredOnceAndCountedOnce()
    {
        var project = NewProject();
        var failing = Record("/users/2", 500, "acme");
        failing.Errors = [new ErrorInfo { Type = "System.InvalidOperationException", Message = "boom", Fingerprint = "fp-boom" }];
        var batch = new IngestBatch
        {
            Service = new ServiceInfo { Name = "orders", Instance = "i-1", Environment = "prod" },
            Records = [Record("/users/1", consumer: "acme"), failing, Record("/users/3")],
            Metrics = [Snapshot(s_minute, Series(10, consumer: "acme", errors: 1))],
            Heartbeats = [new Heartbeat { Id = Guid.NewGuid(), Kind = "startup", Timestamp = s_minute, IntervalSeconds = 60 }],
            SecurityEvents = [new SecurityEvent { Id = Guid.NewGuid(), Timestamp = s_minute, Reason = "invalid", KeyPrefix = "sk_live_ab" }],
        };

        await Store.StoreAsync(project, batch, CancellationToken.None);
        await Store.StoreAsync(project, batch, CancellationToken.None);

        Assert.Equal(3, Store.SearchRequests(project, Filter()).Items.Count);
        Assert.Equal(10, OverviewAround(project, s_minute).Requests);
        Assert.Equal(1, OverviewAround(project, s_minute).Errors);
        Assert.Equal(1, Assert.Single(Store.GetErrorGroups(project)).Count);
        Assert.Single(Store.GetSecurityEvents(project));
        Assert.Equal(10, Assert.Single(Store.GetConsumers(project, s_minute.AddMinutes(-1), s_minute.AddMinutes(1))).Requests);
    }

    [StoreFact]
    public async Task Store_OverlappingBatches_OnlyNewItemsApplied()
    {
        var project = NewProject();
        var (r1, r2, r3) = (Record("/a"), Record("/b"), Record("/c"));
        r2.Errors = [new ErrorInfo { Type = "E", Message = "m", Fingerprint = "fp" }];
        var (m1, m2) = (Snapshot(s_minute, Series(4)), Snapshot(s_minute, Series(6)));

        await Store.StoreAsync(project, new IngestBatch { Records = [r1, r2], Metrics = [m1] }, CancellationToken.None);
        await Store.StoreAsync(project, new IngestBatch { Records = [r2, r3], Metrics = [m1, m2] }, CancellationToken.None);

        Assert.Equal(["/a", "/b", "/c"], Store.SearchRequests(project, Filter()).Items.Select(i => i.Path).Order().ToArray());
        Assert.Equal(10, OverviewAround(project, s_minute).Requests);
        Assert.Equal(1, Assert.Single(Store.GetErrorGroups(project)).Count);
    }

    [StoreFact]
    public async Task Store_SameRecordTwiceInOneBatch_StoredOnce_OthersOfTheBatchKept()
    {
        var project = NewProject();
        var twice = Record("/twice", 500);
        twice.Errors = [new ErrorInfo { Type = "E", Message = "m", Fingerprint = "fp-twice" }];

        await Store.StoreAsync(project, new IngestBatch { Records = [Record("/before"), twice, Record("/between"), twice, Record("/after")] }, CancellationToken.None);

        Assert.Equal(["/after", "/before", "/between", "/twice"], Store.SearchRequests(project, Filter()).Items.Select(i => i.Path).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(1, Assert.Single(Store.GetErrorGroups(project)).Count);
    }

    [StoreFact]
    public async Task Store_SameBatchConcurrently_CountedOnce()
    {
        var project = NewProject();
        var records = Enumerable.Range(0, 50).Select(i => Record($"/r/{i}", i % 5 == 0 ? 500 : 200, "c" + (i % 3))).ToList();
        foreach (var r in records.Where(r => r.Status == 500)) r.Errors = [new ErrorInfo { Type = "E", Message = "m", Fingerprint = "fp" }];
        var batch = new IngestBatch { Records = records, Metrics = [Snapshot(s_minute, Series(50, consumer: "c0"))] };

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => Store.StoreAsync(project, batch, CancellationToken.None))));

        Assert.Equal(50, Store.SearchRequests(project, Filter(limit: 500)).Items.Count);
        Assert.Equal(50, OverviewAround(project, s_minute).Requests);
        Assert.Equal(10, Assert.Single(Store.GetErrorGroups(project)).Count);
    }

    [StoreFact]
    public async Task Store_FailingBatch_FailsAloneAndStoresNothingOfItself()
    {
        var project = NewProject();
        // A heartbeat without a service name (the validator refuses it; here it reaches the store) makes the batch fail in the database.
        var bad = new IngestBatch
        {
            Records = [Record("/bad")],
            Heartbeats = [new Heartbeat { Id = Guid.NewGuid(), Timestamp = s_minute, IntervalSeconds = 60, Service = new ServiceInfo { Name = null!, Instance = "i-1" } }],
        };
        var good = Enumerable.Range(0, 6).Select(i => new IngestBatch { Records = [Record($"/good/{i}")] }).ToList();

        var tasks = good.Select(b => Task.Run(() => Store.StoreAsync(project, b, CancellationToken.None)))
            .Append(Task.Run(() => Store.StoreAsync(project, bad, CancellationToken.None))).ToArray();

        await Assert.ThrowsAnyAsync<Exception>(() => tasks[^1]);
        await Task.WhenAll(tasks[..^1]);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"/good/{i}").Order(), Store.SearchRequests(project, Filter()).Items.Select(i => i.Path).Order());
        await Store.StoreAsync(project, new IngestBatch { Records = [Record("/after")] }, CancellationToken.None);
        Assert.Equal(7, Store.SearchRequests(project, Filter()).Items.Count);
    }

    [StoreFact]
    public async Task Rollups_SnapshotsInOneMinute_MergeHistogramsIntoPercentiles()
    {
        var project = NewProject();
        // 90 fast requests (bucket 1: 0.5–1 ms) in one snapshot, 9 at 40–50 ms and 1 slow 5xx (2000–3000 ms) in another.
        await Store.StoreAsync(project, new IngestBatch { Metrics = [Snapshot(s_minute, Series(90, bucket: 1, max: 1))] }, CancellationToken.None);
        await Store.StoreAsync(project, new IngestBatch { Metrics = [Snapshot(s_minute.AddSeconds(20), Series(9, bucket: 13, max: 50), Series(1, bucket: 26, status: 503, errors: 1, max: 2500))] }, CancellationToken.None);
        var merged = new long[s_latencyLength];
        merged[1] = 90;
        merged[13] = 9;
        merged[26] = 1;

        var overview = OverviewAround(project, s_minute);

        Assert.Equal(100, overview.Requests);
        Assert.Equal(1, overview.Errors);
        Assert.Equal(0.01, overview.ErrorRate, 6);
        Assert.Equal(Math.Round(HistogramBuckets.Quantile(HistogramBuckets.LatencyMs, merged, 0.5, 0, 2500), 2), overview.P50Ms);
        Assert.Equal(Math.Round(HistogramBuckets.Quantile(HistogramBuckets.LatencyMs, merged, 0.95, 0, 2500), 2), overview.P95Ms);
        Assert.Equal(Math.Round(HistogramBuckets.Quantile(HistogramBuckets.LatencyMs, merged, 0.99, 0, 2500), 2), overview.P99Ms);
        Assert.InRange(overview.P50Ms, 0.5, 1);
        Assert.InRange(overview.P95Ms, 40, 50);
        Assert.InRange(overview.P99Ms, 40, 50);
        var point = Assert.Single(overview.Series);
        Assert.Equal(s_minute, point.Minute);
        Assert.Equal(100, point.Requests);
        var endpoint = Assert.Single(Store.GetEndpoints(project, s_minute.AddMinutes(-5), s_minute.AddMinutes(5)));
        Assert.Equal((100, overview.P99Ms, 50.0), (endpoint.Requests, endpoint.P99Ms, endpoint.AverageResponseBytes));
        Assert.Equal(0, OverviewAround(project, s_minute.AddHours(2)).Requests);
    }

    [StoreFact]
    public async Task SearchRequests_EachFilter_SelectsExactlyTheMatchingRecords()
    {
        var project = NewProject();
        var plain = Record("/users/1", consumer: "acme", at: s_minute.AddSeconds(1));
        var post = Record("/orders", 201, at: s_minute.AddSeconds(2), method: "POST", route: "/orders");
        var notFound = Record("/users/404", 404, "globex", at: s_minute.AddSeconds(3));
        var serverError = Record("/users/500", 500, at: s_minute.AddSeconds(4));
        var handled = Record("/users/7", 200, at: s_minute.AddSeconds(5));
        handled.Errors = [new ErrorInfo { Type = "E", Message = "handled", Handled = true }];
        var slow = Record("/users/slow", at: s_minute.AddSeconds(6), durationMs: 1500);
        var old = Record("/users/old", at: s_minute.AddMinutes(-20));
        var outgoing = Record("/users/1", at: s_minute.AddSeconds(7));
        outgoing.Direction = WireConstants.DirectionOutgoing;
        await Store.StoreAsync(project, new IngestBatch { Records = [plain, post, notFound, serverError, handled, slow, old, outgoing] }, CancellationToken.None);
        Store.StoreAsync(NewProject(), new IngestBatch { Records = [Record("/users/other-project")] }, CancellationToken.None).Wait();

        Guid[] Ids(RequestFilter f) => Store.SearchRequests(project, f).Items.Select(i => i.Id).ToArray();

        Assert.Equal([slow.Id, handled.Id, serverError.Id, notFound.Id, post.Id, plain.Id, old.Id], Ids(Filter()));
        Assert.Equal([post.Id], Ids(Filter(route: "/orders")));
        Assert.Equal([post.Id], Ids(Filter(method: "post")));
        Assert.Equal([serverError.Id], Ids(Filter(statusClass: 5)));
        Assert.Equal([notFound.Id], Ids(Filter(statusClass: 4)));
        Assert.Equal([post.Id], Ids(Filter(statusClass: 2, route: "/orders")));
        Assert.Equal([notFound.Id], Ids(Filter(consumer: "globex")));
        Assert.Equal([slow.Id], Ids(Filter(q: "slo")));
        Assert.Equal([handled.Id, serverError.Id], Ids(Filter(hasError: true)));
        Assert.Equal(5, Ids(Filter(hasError: false)).Length);
        Assert.Equal([slow.Id], Ids(Filter(minDurationMs: 1000)));
        Assert.Equal([old.Id], Ids(Filter(from: s_minute.AddMinutes(-30), to: s_minute)));
        Assert.Equal([handled.Id, serverError.Id], Ids(Filter(from: s_minute.AddSeconds(4), to: s_minute.AddSeconds(6))));
        Assert.Empty(Ids(Filter(q: "%")));
        Assert.Empty(Ids(Filter(consumer: "' OR 1=1 --")));
        var row = Store.SearchRequests(project, Filter(consumer: "acme")).Items.Single();
        Assert.Equal((plain.Timestamp, "GET", "/users/{id}", 200, 5.0, 10L, 100L, "10.0.0.1", false), (row.Timestamp, row.Method, row.Route, row.Status, row.DurationMs, row.RequestSize, row.ResponseSize, row.ClientIp, row.HasError));
    }

    [StoreFact]
    public async Task SearchRequests_CursorPages_CoverEveryRecordOnceEvenWithEqualTimestamps()
    {
        var project = NewProject();
        var records = Enumerable.Range(0, 25).Select(i => Record($"/p/{i}", at: s_minute.AddMilliseconds(i < 10 ? 0 : i))).ToList();
        await Store.StoreAsync(project, new IngestBatch { Records = records }, CancellationToken.None);

        var seen = new List<RequestSummary>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = Store.SearchRequests(project, Filter(cursor: cursor, limit: 7));
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(4, pages);
        Assert.Equal(25, seen.Select(s => s.Id).Distinct().Count());
        var expected = records.OrderByDescending(r => r.Timestamp).ThenByDescending(r => r.Id.ToString()).Select(r => r.Id).ToArray();
        Assert.Equal(expected, seen.Select(s => s.Id).ToArray());
        Assert.Throws<FormatException>(() => Store.SearchRequests(project, Filter(cursor: "not-a-cursor")));
    }

    [StoreFact]
    public async Task Store_RecordColumns_NullsNonAsciiAndLongValuesRoundTrip()
    {
        var project = NewProject();
        var plain = Record("/plain");
        plain.ClientIp = null;
        plain.Host = null;
        var empty = Record("", route: ""); // empty strings stay empty strings (bound from an empty span), not NULL: the columns are NOT NULL
        empty.ClientIp = "";
        var unicode = Record("/straße/" + new string('ü', 400), 503, consumer: "kundé-✓", route: "/straße/{name}");
        unicode.Host = "api.example.com";
        var outgoing = new RequestRecord { Id = Guid.NewGuid(), Direction = WireConstants.DirectionOutgoing, ParentId = unicode.Id, Timestamp = s_minute, Method = "GET",
            Host = "payments.internal", Path = "/charge", Status = 200, DurationNs = 1_000_000 };
        var batch = new IngestBatch { Service = new ServiceInfo { Name = "orders", Instance = "i-1", Environment = "prod" }, Records = [plain, unicode, outgoing, empty] };

        await Store.StoreAsync(project, batch, CancellationToken.None);
        await Store.StoreAsync(project, batch, CancellationToken.None);

        var items = Store.SearchRequests(project, Filter()).Items; // incoming only
        Assert.Equal(3, items.Count);
        var e = items.Single(i => i.Id == empty.Id);
        Assert.Equal(("", "", ""), (e.Path, e.Route, e.ClientIp));
        var p = items.Single(i => i.Id == plain.Id);
        Assert.Equal(("/plain", (string?)null, (string?)null, 200, 5.0), (p.Path, p.ClientIp, p.Consumer, p.Status, p.DurationMs));
        var u = items.Single(i => i.Id == unicode.Id);
        Assert.Equal((unicode.Path, "kundé-✓", "/straße/{name}", true, "10.0.0.1"), (u.Path, u.Consumer, u.Route, u.HasError, u.ClientIp));
        Assert.Single(Store.SearchRequests(project, Filter(consumer: "kundé-✓")).Items);
        Assert.Equal(unicode.Path, Store.GetRequest(project, unicode.Id)!.Path);
        var child = Store.GetRequest(project, outgoing.Id);
        Assert.Equal((unicode.Id, "payments.internal"), (child!.ParentId, child.Host));
    }

    [StoreFact]
    public async Task GetRequest_ReturnsTheRecordWithOutgoingCallsAndErrors()
    {
        var project = NewProject();
        var record = Record("/orders/9", 502, "acme");
        record.Query = "page=2";
        record.RequestHeaders = new() { ["Accept"] = "application/json", ["Authorization"] = "[CLIENT_REDACTED]" };
        record.ResponseBody = new CapturedBody { ContentType = "application/json", Content = "{\"ok\":false,\"ünïcode\":\"✓\"}", Truncated = true };
        record.Errors = [new ErrorInfo { Type = "HttpRequestException", Message = "bad gateway", StackTrace = "at X", Inner = [new ErrorInfo { Type = "IOException", Message = "reset" }] }];
        record.Outgoing =
        [
            new RequestRecord { Id = Guid.NewGuid(), Direction = WireConstants.DirectionOutgoing, ParentId = record.Id, Timestamp = record.Timestamp, Method = "GET",
                Host = "payments.internal", Url = "https://payments.internal/charge?token=[CLIENT_REDACTED]", Path = "/charge", Status = 503, DurationNs = 2_000_000 },
            new RequestRecord { Id = Guid.NewGuid(), Direction = WireConstants.DirectionOutgoing, ParentId = record.Id, Timestamp = record.Timestamp, Method = "POST",
                Host = "audit.internal", Path = "/log", Status = 0 },
        ];
        await Store.StoreAsync(project, new IngestBatch { Records = [record] }, CancellationToken.None);

        var stored = Store.GetRequest(project, record.Id);

        Assert.NotNull(stored);
        Assert.Equal(("page=2", "[CLIENT_REDACTED]", "{\"ok\":false,\"ünïcode\":\"✓\"}", true), (stored.Query, stored.RequestHeaders!["Authorization"], stored.ResponseBody!.Content, stored.ResponseBody.Truncated));
        Assert.Equal("reset", stored.Errors!.Single().Inner!.Single().Message);
        Assert.Equal(["payments.internal", "audit.internal"], stored.Outgoing!.Select(o => o.Host));
        Assert.All(stored.Outgoing!, o => Assert.Equal(record.Id, o.ParentId));
        Assert.Equal(503, stored.Outgoing![0].Status);
        Assert.Null(Store.GetRequest(NewProject(), record.Id));
        Assert.Null(Store.GetRequest(project, Guid.NewGuid()));
    }

    [StoreFact]
    public async Task ErrorGroups_GroupByFingerprint_CountFirstAndLastSeen()
    {
        var project = NewProject();
        RequestRecord Failing(string fingerprint, string message, int second)
        {
            var r = Record("/e", 500, at: s_minute.AddSeconds(second));
            r.Errors = [new ErrorInfo { Type = "System.TimeoutException", Message = message, Fingerprint = fingerprint }];
            return r;
        }
        var last = Failing("fp-a", "third", 30);
        await Store.StoreAsync(project, new IngestBatch { Records = [Failing("fp-a", "first", 10), Failing("fp-b", "other", 20)] }, CancellationToken.None);
        await Store.StoreAsync(project, new IngestBatch { Records = [last, Failing("fp-a", "late arrival, older", 5)] }, CancellationToken.None);

        var groups = Store.GetErrorGroups(project);

        Assert.Equal(["fp-a", "fp-b"], groups.Select(g => g.Fingerprint));
        var a = groups[0];
        Assert.Equal((3L, "System.TimeoutException", "third", last.Id), (a.Count, a.Type, a.Message, a.LastRecord!.Value));
        Assert.Equal(s_minute.AddSeconds(30), a.LastSeen);
        Assert.True(a.FirstSeen <= s_minute.AddSeconds(10));
        Assert.Equal(1, groups[1].Count);
        Assert.Single(Store.GetErrorGroups(project, limit: 1));
    }

    [StoreFact]
    public async Task Consumers_NamesFromRecordsAndCountsFromRollupsInRange()
    {
        var project = NewProject();
        await Store.StoreAsync(project, new IngestBatch
        {
            Records = [Record(consumer: "acme"), Record(consumer: "globex")],
            Metrics = [Snapshot(s_minute, Series(7, consumer: "acme"), Series(3, consumer: "globex", status: 500, errors: 3)), Snapshot(s_minute.AddHours(-3), Series(100, consumer: "acme"))],
        }, CancellationToken.None);

        var consumers = Store.GetConsumers(project, s_minute.AddMinutes(-10), s_minute.AddMinutes(10));

        Assert.Equal(["acme", "globex"], consumers.Select(c => c.Identifier));
        Assert.Equal((7L, 0L, "acme name", "tier-a"), (consumers[0].Requests, consumers[0].Errors, consumers[0].Name, consumers[0].Group));
        Assert.Equal((3L, 3L), (consumers[1].Requests, consumers[1].Errors));
        Assert.Equal(107, Store.GetConsumers(project, s_minute.AddHours(-4), s_minute.AddMinutes(10))[0].Requests);
    }

    [StoreFact]
    public async Task SecurityEvents_NewestFirst_OncePerId()
    {
        var project = NewProject();
        var older = new SecurityEvent { Id = Guid.NewGuid(), Timestamp = s_minute, Reason = "revoked", KeyPrefix = "sk_1", ClientIp = "10.1.1.1", Method = "GET", Path = "/a" };
        var newer = new SecurityEvent { Id = Guid.NewGuid(), Timestamp = s_minute.AddSeconds(5), Reason = "ip_not_allowed" };

        await Store.StoreAsync(project, new IngestBatch { SecurityEvents = [older] }, CancellationToken.None);
        await Store.StoreAsync(project, new IngestBatch { SecurityEvents = [newer, older] }, CancellationToken.None);

        var events = Store.GetSecurityEvents(project);
        Assert.Equal(["ip_not_allowed", "revoked"], events.Select(e => e.Reason));
        Assert.Equal(("apikey.refused", "sk_1", "10.1.1.1", "GET", "/a"), (events[1].Kind, events[1].KeyPrefix, events[1].ClientIp, events[1].Method, events[1].Path));
        Assert.Null(events[0].KeyPrefix);
    }

    [StoreFact]
    public async Task Instances_SilentAfterThreeMissedIntervals_AndWhenStopped()
    {
        var project = NewProject();
        var now = DateTimeOffset.UtcNow;
        var service = new ServiceInfo { Name = "orders", Instance = "i-1", Version = "1.2", Environment = "prod" };
        await Store.StoreAsync(project, new IngestBatch
        {
            Service = service,
            Heartbeats = [new Heartbeat { Id = Guid.NewGuid(), Kind = "startup", Timestamp = now, IntervalSeconds = 30, Routes = [new RouteInfo { Method = "GET", Template = "/health" }] }],
        }, CancellationToken.None);
        await Store.StoreAsync(project, new IngestBatch
        {
            Heartbeats = [new Heartbeat { Id = Guid.NewGuid(), Kind = "shutdown", Timestamp = now, IntervalSeconds = 30, Service = new ServiceInfo { Name = "orders", Instance = "i-2" } }],
        }, CancellationToken.None);

        var instances = Store.GetInstances(project, now.AddSeconds(60)).ToDictionary(i => i.Instance);
        Assert.False(instances["i-1"].Silent);
        Assert.True(instances["i-2"].Silent);
        Assert.Equal(("orders", "1.2", "prod"), (instances["i-1"].Service, instances["i-1"].Version, instances["i-1"].Environment));
        Assert.True(Store.GetInstances(project, now.AddSeconds(91)).Single(i => i.Instance == "i-1").Silent);
    }

    [StoreFact]
    public async Task Endpoints_InventoryAndTrafficMerged()
    {
        var project = NewProject();
        await Store.StoreAsync(project, new IngestBatch
        {
            Service = new ServiceInfo { Name = "orders", Instance = "i-1" },
            Heartbeats = [new Heartbeat { Id = Guid.NewGuid(), Kind = "startup", Timestamp = s_minute, IntervalSeconds = 60,
                Routes = [new RouteInfo { Method = "GET", Template = "/users/{id}" }, new RouteInfo { Method = "DELETE", Template = "/users/{id}" }] }],
            Metrics = [Snapshot(s_minute, Series(5), Series(2, route: "/unlisted"))],
        }, CancellationToken.None);

        var endpoints = Store.GetEndpoints(project, s_minute.AddMinutes(-5), s_minute.AddMinutes(5));

        Assert.Equal([("GET", "/users/{id}", 5L, true), ("GET", "/unlisted", 2L, false), ("DELETE", "/users/{id}", 0L, true)],
            endpoints.Select(e => (e.Method, e.Route, e.Requests, e.FromInventory)));
    }

    [StoreFact]
    public async Task Retention_RemovesExpiredRecordsAndRollups_KeepsRecentOnes()
    {
        var project = NewProject();
        var now = DateTimeOffset.UtcNow;
        var expired = Record("/old", at: now.AddDays(-10));
        var kept = Record("/new", at: now.AddMinutes(-1));
        await Store.StoreAsync(project, new IngestBatch
        {
            Records = [expired, kept],
            Metrics = [Snapshot(now.AddDays(-100), Series(3)), Snapshot(now.AddDays(-10), Series(4))],
            SecurityEvents = [new SecurityEvent { Id = Guid.NewGuid(), Timestamp = now.AddDays(-10), Reason = "invalid" }],
        }, CancellationToken.None);

        var deleted = await Store.ApplyRetentionAsync(now.AddDays(-7), now.AddDays(-90), CancellationToken.None);

        Assert.True(deleted >= 3, $"deleted {deleted}");
        Assert.Null(Store.GetRequest(project, expired.Id));
        Assert.NotNull(Store.GetRequest(project, kept.Id));
        Assert.Equal([kept.Id], Store.SearchRequests(project, Filter()).Items.Select(i => i.Id));
        Assert.Equal(0, Store.GetOverview(project, now.AddDays(-101), now.AddDays(-99)).Requests);
        Assert.Equal(4, Store.GetOverview(project, now.AddDays(-11), now.AddDays(-9)).Requests);
        Assert.Empty(Store.GetSecurityEvents(project));
        // Ingest still works after retention, also for a day whose records were just removed.
        await Store.StoreAsync(project, new IngestBatch { Records = [Record("/again", at: now.AddDays(-10))] }, CancellationToken.None);
        Assert.Equal(2, Store.SearchRequests(project, Filter()).Items.Count);
    }

    [StoreFact]
    public void ProjectsUsers_CreateVerify()
    {
        var name = "shop-" + Guid.NewGuid().ToString("n");
        var (id, created) = Store.EnsureProject(name);
        var (again, createdAgain) = Store.EnsureProject(name);
        var user = "user-" + Guid.NewGuid().ToString("n");

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(id, again);
        Assert.True(Store.EnsureUser(user, "correct horse"));
        Assert.False(Store.EnsureUser(user, "another password"));
        Assert.True(Store.VerifyUser(user, "correct horse"));
        Assert.False(Store.VerifyUser(user, "another password"));
        Assert.False(Store.VerifyUser("nobody-" + user, "correct horse"));
        Assert.True(Store.IsReady());
    }
}
