using Sightline.Protocol.Wire;
using Sightline.Server.Query;

namespace Sightline.Server.Tests.Storage;

/// <summary>The dashboard's environment filter on the request log, consumers and errors, held to the same behaviour on every store.</summary>
public abstract partial class StoreContractTests
{
    /// <summary>
    /// One project with the same traffic shape in two environments: prod has 3 requests of consumer acme (2 failing
    /// with fp-env) and staging 1 request of consumer globex (failing with fp-env and fp-staging-only).
    /// </summary>
    private async Task<long> TwoEnvironmentsAsync()
    {
        var project = NewProject();
        RequestRecord Failing(RequestRecord r, params string[] fingerprints)
        {
            r.Errors = [.. fingerprints.Select(f => new ErrorInfo { Type = "E." + f, Message = "boom " + f, Fingerprint = f })];
            return r;
        }
        await Store.StoreAsync(project, new IngestBatch
        {
            Service = new ServiceInfo { Name = "orders", Instance = "p-1", Environment = "prod" },
            Records =
            [
                Record("/users/1", consumer: "acme"), Failing(Record("/users/2", 500, "acme", s_minute.AddSeconds(5)), "fp-env"),
                Failing(Record("/users/3", 500, "acme", s_minute.AddMinutes(1)), "fp-env"),
            ],
            Metrics = [Snapshot(s_minute, Series(3, consumer: "acme"))],
        }, CancellationToken.None);
        await Store.StoreAsync(project, new IngestBatch
        {
            Service = new ServiceInfo { Name = "orders", Instance = "s-1", Environment = "staging" },
            Records = [Failing(Record("/users/9", 500, "globex", s_minute.AddSeconds(20)), "fp-env", "fp-staging-only")],
            Metrics = [Snapshot(s_minute, Series(1, consumer: "globex"))],
        }, CancellationToken.None);
        return project;
    }

    private static List<(string, long)> Pairs(IReadOnlyDictionary<string, long> counts)
        => counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)).ToList();

    [StoreFact]
    public async Task SearchRequests_Environment_OnlyThatEnvironmentsRecords()
    {
        var project = await TwoEnvironmentsAsync();
        RequestFilter In(string? environment) => Filter(from: Window.From, to: Window.To) with { Environment = environment };

        Assert.Equal(4, Store.SearchRequests(project, In(null)).Items.Count);
        Assert.Equal(["/users/3", "/users/2", "/users/1"], Store.SearchRequests(project, In("prod")).Items.Select(r => r.Path));
        Assert.Equal(["/users/9"], Store.SearchRequests(project, In("staging")).Items.Select(r => r.Path));
        Assert.Empty(Store.SearchRequests(project, In("dev")).Items);

        // Pagination keeps the filter.
        var first = Store.SearchRequests(project, In("prod") with { Limit = 2 });
        Assert.Equal(["/users/3", "/users/2"], first.Items.Select(r => r.Path));
        Assert.Equal(["/users/1"], Store.SearchRequests(project, In("prod") with { Limit = 2, Cursor = first.NextCursor }).Items.Select(r => r.Path));
    }

    [StoreFact]
    public async Task Consumers_Environment_OnlyConsumersWithTrafficThereCountingOnlyIt()
    {
        var project = await TwoEnvironmentsAsync();

        Assert.Equal([("acme", 3L), ("globex", 1L)], Store.GetConsumers(project, Window.From, Window.To).Select(c => (c.Identifier, c.Requests)));
        Assert.Equal([("acme", 3L)], Store.GetConsumers(project, Window.From, Window.To, "prod").Select(c => (c.Identifier, c.Requests)));
        Assert.Equal([("globex", 1L)], Store.GetConsumers(project, Window.From, Window.To, "staging").Select(c => (c.Identifier, c.Requests)));
        Assert.Empty(Store.GetConsumers(project, Window.From, Window.To, "dev"));
    }

    [StoreFact]
    public async Task ErrorSummary_Environment_CountsOnlyThatEnvironmentsOccurrences()
    {
        var project = await TwoEnvironmentsAsync();

        var all = Store.GetErrorSummary(project, Window.From, Window.To, s_bucket);
        Assert.Equal(3, all.CountsByFingerprint["fp-env"]);
        Assert.Equal([0L, 0, 3, 1, 0], all.Series.Select(p => p.Errors));

        var prod = Store.GetErrorSummary(project, Window.From, Window.To, s_bucket, "prod");
        Assert.Equal([("fp-env", 2L)], Pairs(prod.CountsByFingerprint));
        Assert.Equal([0L, 0, 1, 1, 0], prod.Series.Select(p => p.Errors));
        Assert.Equal(all.Series.Select(p => p.Minute), prod.Series.Select(p => p.Minute));

        var staging = Store.GetErrorSummary(project, Window.From, Window.To, s_bucket, "staging");
        Assert.Equal([("fp-env", 1L), ("fp-staging-only", 1L)], Pairs(staging.CountsByFingerprint));
        Assert.Empty(Store.GetErrorSummary(project, Window.From, Window.To, s_bucket, "dev").CountsByFingerprint);

        // The range is by minute, as for the rollups: a "to" inside the minute of /users/3 still counts it.
        Assert.Equal(2, Store.GetErrorSummary(project, Window.From, s_minute.AddMinutes(1).AddSeconds(1), s_bucket, "prod").CountsByFingerprint["fp-env"]);
        Assert.Equal(1, Store.GetErrorSummary(project, Window.From, s_minute.AddMinutes(1), s_bucket, "prod").CountsByFingerprint["fp-env"]);
    }

    [StoreFact]
    public async Task ErrorGroup_Environment_OccurrencesConsumersAndSamplesOfThatEnvironment()
    {
        var project = await TwoEnvironmentsAsync();

        var all = Store.GetErrorGroup(project, "fp-env", Window.From, Window.To, s_bucket)!;
        Assert.Equal(3, all.CountInRange);
        Assert.Equal(3, all.Samples.Count);

        var staging = Store.GetErrorGroup(project, "fp-env", Window.From, Window.To, s_bucket, environment: "staging")!;
        Assert.Equal(1, staging.CountInRange);
        Assert.Equal([0L, 0, 1, 0, 0], staging.Series.Select(p => p.Errors));
        Assert.Equal([new AffectedCount("globex", 1)], staging.Consumers);
        Assert.Equal([new AffectedCount("GET /users/{id}", 1)], staging.Endpoints);
        Assert.Equal(["/users/9"], staging.Samples.Select(s => s.Path));
        Assert.Equal(3, staging.Group.Count); // the group's all-time count stays project-wide

        var prod = Store.GetErrorGroup(project, "fp-env", Window.From, Window.To, s_bucket, environment: "prod")!;
        Assert.Equal((2L, "acme"), (prod.CountInRange, Assert.Single(prod.Consumers).Key));
        Assert.Equal(["/users/3", "/users/2"], prod.Samples.Select(s => s.Path));
        Assert.Equal(0, Store.GetErrorGroup(project, "fp-staging-only", Window.From, Window.To, s_bucket, environment: "prod")!.CountInRange);
    }

    [StoreFact]
    public async Task SecurityEvents_EnvironmentFilter_SelectsTheBatchEnvironment_UnknownOnlyUnfiltered()
    {
        var project = NewProject();
        SecurityEvent E(string reason, string ip, int seconds) => new() { Id = Guid.NewGuid(), Timestamp = s_minute.AddSeconds(seconds), Reason = reason, ClientIp = ip, KeyPrefix = "sk_" + reason };
        await Store.StoreAsync(project, new IngestBatch
        {
            Service = new ServiceInfo { Name = "orders", Instance = "p-1", Environment = "prod" }, SecurityEvents = [E("revoked", "10.0.0.1", 0), E("revoked", "10.0.0.1", 1)],
        }, CancellationToken.None);
        await Store.StoreAsync(project, new IngestBatch
        {
            Service = new ServiceInfo { Name = "orders", Instance = "s-1", Environment = "staging" }, SecurityEvents = [E("invalid", "10.0.0.2", 2)],
        }, CancellationToken.None);
        await Store.StoreAsync(project, new IngestBatch { SecurityEvents = [E("missing", "10.0.0.3", 3)] }, CancellationToken.None); // no service: no environment
        var (from, to) = (s_minute.AddMinutes(-2), s_minute.AddMinutes(3));

        var prod = Store.GetSecurityReport(project, from, to, TimeSpan.FromMinutes(1), "prod");
        Assert.Equal(2, prod.Total);
        Assert.Equal([new AffectedCount("revoked", 2)], prod.Reasons);
        Assert.Equal([new AffectedCount("10.0.0.1", 2)], prod.ClientIps);
        Assert.Equal([new AffectedCount("sk_revoked", 2)], prod.KeyPrefixes);
        Assert.Equal(2, prod.Series.Sum(p => p.Count));
        var staging = Store.GetSecurityReport(project, from, to, TimeSpan.FromMinutes(1), "staging");
        Assert.Equal((1L, "invalid", "10.0.0.2"), (staging.Total, staging.Reasons.Single().Key, staging.ClientIps.Single().Key));
        Assert.Equal(0, Store.GetSecurityReport(project, from, to, TimeSpan.FromMinutes(1), "qa").Total);
        Assert.Equal(4, Store.GetSecurityReport(project, from, to, TimeSpan.FromMinutes(1)).Total); // all environments, the unknown one included

        Assert.Equal(["revoked", "revoked"], Store.GetSecurityEvents(project, environment: "prod").Select(e => e.Reason));
        Assert.Equal(["invalid"], Store.GetSecurityEvents(project, environment: "staging").Select(e => e.Reason));
        Assert.Equal(["missing", "invalid", "revoked", "revoked"], Store.GetSecurityEvents(project).Select(e => e.Reason));
        Assert.Equal(["revoked"], Store.GetSecurityEvents(project, 1, "prod").Select(e => e.Reason));
    }

    [StoreFact]
    public void FindProjectId_ExactNameOnly_NeverCreates()
    {
        var name = "p-" + Guid.NewGuid().ToString("n");
        Assert.Null(Store.FindProjectId(name));
        var id = Store.EnsureProject(name).Id;
        Assert.Equal(id, Store.FindProjectId(name));
        Assert.Null(Store.FindProjectId(name.ToUpperInvariant()));
        Assert.Null(Store.FindProjectId("p-" + Guid.NewGuid().ToString("n")));
    }
}
