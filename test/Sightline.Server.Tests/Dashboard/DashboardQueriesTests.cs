using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sightline.Protocol.Wire;

namespace Sightline.Server.Tests.Dashboard;

/// <summary>The dashboard's store queries through the JSON API of a real server (SQLite file, Kestrel on 127.0.0.1).</summary>
public sealed class DashboardQueriesTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static RequestRecord Failing(string route, string? consumer, string fingerprint, DateTimeOffset at)
    {
        var record = ServerFixture.Record(route.Replace("{id}", "7", StringComparison.Ordinal), 500, consumer, at);
        record.RouteTemplate = route;
        record.Errors = [new ErrorInfo { Type = "System.InvalidOperationException", Message = "boom", Fingerprint = fingerprint }];
        return record;
    }

    [Fact]
    public async Task ErrorGroup_RetriedBatch_CountsOnceWithEndpointsConsumersAndSamples()
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        var batch = new IngestBatch
        {
            Records =
            [
                Failing("/orders/{id}", "acme", "fp-1", now), Failing("/orders/{id}", "acme", "fp-1", now.AddSeconds(1)),
                Failing("/users/{id}", null, "fp-1", now.AddSeconds(2)), Failing("/users/{id}", "globex", "fp-2", now.AddSeconds(3)),
            ],
        };
        await _server.PostBatchAsync(batch);
        await _server.PostBatchAsync(batch); // a retry: same ids
        using var client = await _server.SignedInClientAsync();

        var group = await client.GetFromJsonAsync<JsonElement>("/api/v1/errors/group?fingerprint=fp-1");
        var summary = await client.GetFromJsonAsync<JsonElement>("/api/v1/errors/summary");

        Assert.Equal(3, group.GetProperty("countInRange").GetInt64());
        var endpoints = group.GetProperty("endpoints").EnumerateArray().Select(e => (e.GetProperty("key").GetString(), e.GetProperty("count").GetInt64())).ToList();
        Assert.Equal([("GET /orders/{id}", 2L), ("GET /users/{id}", 1L)], endpoints);
        var consumers = group.GetProperty("consumers").EnumerateArray().Select(e => (e.GetProperty("key").GetString(), e.GetProperty("count").GetInt64())).ToList();
        Assert.Equal([("acme", 2L), ("", 1L)], consumers);
        var samples = group.GetProperty("samples").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ToList();
        Assert.Equal([batch.Records[2].Id, batch.Records[1].Id, batch.Records[0].Id], samples);
        Assert.Equal(3, group.GetProperty("series").EnumerateArray().Sum(p => p.GetProperty("requests").GetInt64()));
        Assert.Equal(3, summary.GetProperty("countsByFingerprint").GetProperty("fp-1").GetInt64());
        Assert.Equal(1, summary.GetProperty("countsByFingerprint").GetProperty("fp-2").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/errors/group?fingerprint=nope")).StatusCode);
    }

    [Fact]
    public async Task Outgoing_NestedAndStandaloneCalls_CountedOncePerHostWithErrors()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-3);
        var parent = ServerFixture.Record("/quote", 200, at: at);
        parent.Outgoing =
        [
            new RequestRecord { Id = Guid.NewGuid(), Direction = "outgoing", ParentId = parent.Id, Method = "GET", Host = "partner.example", Url = "https://partner.example/a", Status = 200, Timestamp = at, DurationNs = 20_000_000 },
            new RequestRecord { Id = Guid.NewGuid(), Direction = "outgoing", ParentId = parent.Id, Method = "GET", Host = "partner.example", Url = "https://partner.example/b", Status = 503, Timestamp = at, DurationNs = 80_000_000 },
        ];
        var standalone = new RequestRecord { Id = Guid.NewGuid(), Direction = "outgoing", Method = "POST", Url = "https://hooks.example:8443/x", Status = 0, Timestamp = at, DurationNs = 5_000_000 };
        var batch = new IngestBatch { Records = [parent, standalone] };
        await _server.PostBatchAsync(batch);
        await _server.PostBatchAsync(batch);
        using var client = await _server.SignedInClientAsync();

        var report = await client.GetFromJsonAsync<JsonElement>("/api/v1/outgoing");

        var hosts = report.GetProperty("hosts").EnumerateArray().ToList();
        Assert.Equal(2, hosts.Count);
        Assert.Equal("partner.example", hosts[0].GetProperty("host").GetString());
        Assert.Equal(2, hosts[0].GetProperty("calls").GetInt64());
        Assert.Equal(1, hosts[0].GetProperty("errors").GetInt64());
        Assert.Equal(80, hosts[0].GetProperty("maxMs").GetDouble());
        Assert.InRange(hosts[0].GetProperty("p99Ms").GetDouble(), 50, 80);
        Assert.Equal("hooks.example:8443", hosts[1].GetProperty("host").GetString());
        Assert.Equal(1, hosts[1].GetProperty("errors").GetInt64()); // status 0: no response
        Assert.Equal(3, report.GetProperty("series").EnumerateArray().Sum(p => p.GetProperty("requests").GetInt64()));
    }

    [Fact]
    public async Task SecurityReport_CountsByBucketReasonIpAndPrefix()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-2);
        SecurityEvent E(string reason, string? ip, string? prefix, int seconds) => new() { Id = Guid.NewGuid(), Timestamp = at.AddSeconds(seconds), Reason = reason, ClientIp = ip, KeyPrefix = prefix };
        await _server.PostBatchAsync(new IngestBatch
        {
            SecurityEvents = [E("unknown", "10.0.0.1", "sk_live_ab", 0), E("unknown", "10.0.0.1", "sk_live_cd", 1), E("revoked", "10.0.0.2", "sk_live_ab", 2), E("missing", null, null, 3)],
        });
        using var client = await _server.SignedInClientAsync();

        var report = await client.GetFromJsonAsync<JsonElement>("/api/v1/security?bucketMinutes=5");

        Assert.Equal(4, report.GetProperty("total").GetInt64());
        static List<(string?, long)> Top(JsonElement e) => e.EnumerateArray().Select(x => (x.GetProperty("key").GetString(), x.GetProperty("count").GetInt64())).ToList();
        Assert.Equal([("unknown", 2L), ("missing", 1L), ("revoked", 1L)], Top(report.GetProperty("reasons")));
        Assert.Equal([("10.0.0.1", 2L), ("(unknown)", 1L), ("10.0.0.2", 1L)], Top(report.GetProperty("clientIps")));
        Assert.Equal([("sk_live_ab", 2L), ("(none)", 1L), ("sk_live_cd", 1L)], Top(report.GetProperty("keyPrefixes")));
        Assert.Equal(4, report.GetProperty("series").EnumerateArray().Sum(p => p.GetProperty("count").GetInt64()));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/security?bucketMinutes=0")).StatusCode);

        await _server.PostBatchAsync(new IngestBatch
        {
            Service = new ServiceInfo { Name = "orders", Instance = "p-1", Environment = "prod" },
            SecurityEvents = [E("ip_not_allowed", "10.0.0.3", "sk_live_ef", 4), E("ip_not_allowed", "10.0.0.3", "sk_live_ef", 5)],
        });
        Assert.Equal(6, (await client.GetFromJsonAsync<JsonElement>("/api/v1/security?bucketMinutes=5")).GetProperty("total").GetInt64());
        var prod = await client.GetFromJsonAsync<JsonElement>("/api/v1/security?bucketMinutes=5&environment=prod");
        Assert.Equal(2, prod.GetProperty("total").GetInt64());
        Assert.Equal([("10.0.0.3", 2L)], Top(prod.GetProperty("clientIps")));
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/v1/security?bucketMinutes=5&environment=staging")).GetProperty("total").GetInt64());
        Assert.Equal(6, (await client.GetFromJsonAsync<JsonElement>("/api/v1/security-events")).GetArrayLength());
        Assert.Equal(2, (await client.GetFromJsonAsync<JsonElement>("/api/v1/security-events?environment=prod")).GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/traffic?from=2020-01-01T00:00:00Z&bucketMinutes=1")).StatusCode);
    }

    [Fact]
    public async Task Retention_RemovesOldErrorAndOutgoingRollups()
    {
        var old = DateTimeOffset.UtcNow.AddDays(-100);
        var parent = Failing("/orders/{id}", "acme", "fp-old", old);
        parent.Outgoing = [new RequestRecord { Id = Guid.NewGuid(), Direction = "outgoing", Method = "GET", Host = "old.example", Status = 200, Timestamp = old, DurationNs = 1_000_000 }];
        await _server.PostBatchAsync(new IngestBatch { Records = [parent] });
        using var client = await _server.SignedInClientAsync();
        var range = $"from={Uri.EscapeDataString(old.AddMinutes(-1).ToString("O"))}&to={Uri.EscapeDataString(old.AddMinutes(5).ToString("O"))}&bucketMinutes=60";
        Assert.Single((await client.GetFromJsonAsync<JsonElement>("/api/v1/outgoing?" + range)).GetProperty("hosts").EnumerateArray());

        await _server.Store.ApplyRetentionAsync(DateTimeOffset.UtcNow.AddDays(-7), DateTimeOffset.UtcNow.AddDays(-90), CancellationToken.None);

        Assert.Empty((await client.GetFromJsonAsync<JsonElement>("/api/v1/outgoing?" + range)).GetProperty("hosts").EnumerateArray());
        var group = await client.GetFromJsonAsync<JsonElement>("/api/v1/errors/group?fingerprint=fp-old&" + range);
        Assert.Equal(0, group.GetProperty("countInRange").GetInt64());
        Assert.Empty(group.GetProperty("samples").EnumerateArray());
    }
}
