using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sightline.Server.Monitoring;

namespace Sightline.Server.Tests.Uptime;

/// <summary>HTTP checks against real Kestrel targets on 127.0.0.1, with a real SQLite store and a fake clock for the schedule.</summary>
public sealed class UptimeCheckerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly SqliteMonitoringDatabase _db = new();
    private readonly FakeTimeProvider _time = new(T0);
    private IMonitoringStore _store = null!;
    private UptimeChecker _checker = null!;
    private TargetApp _target = null!;

    public async Task InitializeAsync()
    {
        _store = _db.NewStore();
        _checker = new UptimeChecker(_store, HttpClients.Factory, _time, NullLogger<UptimeChecker>.Instance);
        _target = await TargetApp.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _target.DisposeAsync();
        _db.Dispose();
    }

    private long AddCheck(int threshold = 3, string? bodyContains = null, int timeoutMs = 2000, int expected = 200)
        => _store.CreateCheck(1, new CheckDefinition("target", _target.Url.ToString(), "GET", expected, timeoutMs, 30, bodyContains, threshold, true), T0);

    private async Task TickAsync()
    {
        Assert.Equal(1, await _checker.RunDueAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Check_TargetGoesDownAndComesBack_OneIncidentWithStartEndDurationAndReason()
    {
        var id = AddCheck(threshold: 3);
        await TickAsync(); // up at T0
        await _target.DownAsync();
        var firstFailure = _time.GetUtcNow();
        await TickAsync();
        await TickAsync();
        Assert.Empty(_store.GetOpenIncidents(1)); // two failures: not confirmed yet
        await TickAsync();
        var open = Assert.Single(_store.GetOpenIncidents(1));
        Assert.Equal(firstFailure, open.Started);
        Assert.StartsWith("Connection failed", open.Reason, StringComparison.Ordinal);
        Assert.Equal("down", _store.GetCheck(1, id)!.State);

        await TickAsync(); // still down: same incident
        await _target.UpAsync();
        var recovered = _time.GetUtcNow();
        await TickAsync();

        var incident = Assert.Single(_store.GetIncidents(1, T0, _time.GetUtcNow(), "check", id.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(recovered, incident.Ended);
        Assert.Equal(TimeSpan.FromSeconds(120), incident.Duration(_time.GetUtcNow()));
        Assert.Equal("up", _store.GetCheck(1, id)!.State);
        // 120 s down out of the 180 s monitored so far.
        var uptime = UptimeCalculator.Percent([incident], T0, T0.AddDays(1), T0, _time.GetUtcNow());
        Assert.Equal(Math.Round(100 * (1 - 120.0 / 180), 3), uptime);
    }

    [Fact]
    public async Task Check_FlappingTarget_NeverOpensAnIncident()
    {
        AddCheck(threshold: 3);
        _target.StatusByHit = hit => hit % 3 == 0 ? 200 : 503; // 503, 503, 200, 503, 503, 200, …
        for (var i = 0; i < 12; i++) await TickAsync();
        Assert.Equal(12, _target.Hits);
        Assert.Empty(_store.GetIncidents(1, T0, _time.GetUtcNow()));
    }

    [Fact]
    public async Task Check_WrongStatus_ReasonNamesBothStatuses()
    {
        AddCheck(threshold: 1);
        _target.Status = 503;
        await TickAsync();
        Assert.Equal("Expected status 200, got 503.", Assert.Single(_store.GetOpenIncidents(1)).Reason);
    }

    [Fact]
    public async Task Check_BodyMissingExpectedText_FailsWithReason()
    {
        var id = AddCheck(threshold: 1, bodyContains: "\"status\":\"healthy\"");
        _target.Body = "{\"status\":\"degraded\"}";
        await TickAsync();
        Assert.Equal("The response body does not contain \"\"status\":\"healthy\"\".", Assert.Single(_store.GetOpenIncidents(1)).Reason);
        _target.Body = "{\"status\":\"healthy\"}";
        await TickAsync();
        Assert.Equal("up", _store.GetCheck(1, id)!.State);
        Assert.Empty(_store.GetOpenIncidents(1));
    }

    [Fact]
    public async Task Check_SlowerThanTimeout_FailsAsTimedOut()
    {
        AddCheck(threshold: 1, timeoutMs: 200);
        _target.Delay = TimeSpan.FromSeconds(3);
        await TickAsync();
        Assert.Equal("Timed out after 200 ms.", Assert.Single(_store.GetOpenIncidents(1)).Reason);
    }

    [Fact]
    public async Task Check_ExpectedNonSuccessStatus_IsUpWhenItMatches()
    {
        var id = AddCheck(threshold: 1, expected: 418);
        _target.Status = 418;
        await TickAsync();
        Assert.Equal("up", _store.GetCheck(1, id)!.State);
        Assert.Equal(418, _store.GetCheck(1, id)!.LastStatus);
    }
}
