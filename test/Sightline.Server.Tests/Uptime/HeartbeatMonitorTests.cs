using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Sightline.Server.Hosting;
using Sightline.Server.Monitoring;

namespace Sightline.Server.Tests.Uptime;

public sealed class HeartbeatMonitorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private static HeartbeatMonitor Monitor(IMonitoringStore store, TimeProvider time, int missed = 3)
        => new(store, Options.Create(new MonitoringOptions { HeartbeatMissedIntervals = missed }), time, NullLogger<HeartbeatMonitor>.Instance);

    [Fact]
    public async Task SdkApp_StopsSendingHeartbeats_InstanceEnvironmentAndServiceGoDownThenRecover()
    {
        await using var server = await ServerFixture.StartAsync();
        await using var gate = await IngestGate.StartAsync(server.Address);
        var store = server.App.Services.GetRequiredService<IMonitoringStore>();
        var project = server.App.Services.GetRequiredService<DefaultProject>();
        var monitor = Monitor(store, TimeProvider.System, missed: 2);

        var (app, appClient) = await server.StartSdkAppAsync(o =>
        {
            o.Endpoint = gate.Address; // through the gate, which the test cuts
            o.ServiceName = "orders";
            o.Environment = "test";
            o.HeartbeatInterval = TimeSpan.FromSeconds(1);
        }, a => a.MapGet("/", () => "hi"));
        await using var _ = app;
        using var __ = appClient;

        await Until(() => store.GetInstanceHeartbeats(project.Id).Count == 1, "the first heartbeat");
        monitor.Evaluate(project.Id);
        Assert.Empty(store.GetOpenIncidents(project.Id));

        gate.Cut(); // the app runs on, but nothing it sends arrives
        await Until(() =>
        {
            monitor.Evaluate(project.Id);
            return store.GetOpenIncidents(project.Id).Count == 3;
        }, "incidents for the silent app");
        var open = store.GetOpenIncidents(project.Id).ToDictionary(i => i.TargetKind);
        Assert.Equal("orders/test", open[HeartbeatMonitor.EnvironmentKind].TargetKey);
        Assert.Equal("orders", open[HeartbeatMonitor.ServiceKind].TargetKey);
        Assert.StartsWith("No heartbeat for", open[HeartbeatMonitor.InstanceKind].Reason, StringComparison.Ordinal);
        var lastSeen = store.GetInstanceHeartbeats(project.Id)[0].LastSeen;
        Assert.Equal(lastSeen, open[HeartbeatMonitor.ServiceKind].Started); // down since the last heartbeat, not since detection

        gate.Open();
        await Until(() =>
        {
            monitor.Evaluate(project.Id);
            return store.GetOpenIncidents(project.Id).Count == 0;
        }, "recovery", TimeSpan.FromSeconds(40));
        var history = store.GetIncidents(project.Id, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(3, history.Count);
        Assert.All(history, i => Assert.True(i.Ended > i.Started));

        await app.StopAsync(); // graceful: a shutdown heartbeat says the instance stopped
        await Until(() =>
        {
            monitor.Evaluate(project.Id);
            return store.GetOpenIncidents(project.Id).Any(i => i.TargetKind == HeartbeatMonitor.ServiceKind);
        }, "the stopped service");
        var stopped = store.GetOpenIncidents(project.Id);
        Assert.DoesNotContain(stopped, i => i.TargetKind == HeartbeatMonitor.InstanceKind); // a clean shutdown is not an instance outage
        Assert.Equal("All 1 instance(s) stopped.", stopped.Single(i => i.TargetKind == HeartbeatMonitor.ServiceKind).Reason);
    }

    [Fact]
    public void Evaluate_OneOfTwoInstancesSilent_OnlyThatInstanceIsDown()
    {
        using var db = new SqliteMonitoringDatabase();
        var store = db.NewStore();
        var time = new FakeTimeProvider(T0);
        Instance(db, "a", "orders", "prod", T0);
        Instance(db, "b", "orders", "prod", T0);
        var monitor = Monitor(store, time);

        time.Advance(TimeSpan.FromSeconds(180)); // exactly three intervals: not yet
        monitor.Evaluate(1);
        Assert.Empty(store.GetOpenIncidents(1));

        Instance(db, "b", "orders", "prod", time.GetUtcNow());
        time.Advance(TimeSpan.FromSeconds(1));
        monitor.Evaluate(1);
        var down = Assert.Single(store.GetOpenIncidents(1));
        Assert.Equal((HeartbeatMonitor.InstanceKind, "a", T0), (down.TargetKind, down.TargetKey, down.Started));

        time.Advance(TimeSpan.FromSeconds(180)); // now b is silent too: the environment and service are down since b's last heartbeat
        monitor.Evaluate(1);
        var open = store.GetOpenIncidents(1);
        Assert.Equal(4, open.Count);
        Assert.Equal(T0.AddSeconds(180), open.Single(i => i.TargetKind == HeartbeatMonitor.ServiceKind).Started);

        Instance(db, "a", "orders", "prod", time.GetUtcNow());
        monitor.Evaluate(1);
        Assert.Equal("b", Assert.Single(store.GetOpenIncidents(1)).TargetKey);
        var service = Assert.Single(store.GetIncidents(1, T0, time.GetUtcNow().AddSeconds(1), HeartbeatMonitor.ServiceKind));
        Assert.Equal(time.GetUtcNow(), service.Ended);
    }

    [Fact]
    public void Evaluate_InstanceSilentForAWeek_IsForgotten()
    {
        using var db = new SqliteMonitoringDatabase();
        var store = db.NewStore();
        var time = new FakeTimeProvider(T0.AddDays(8));
        Instance(db, "old", "legacy", null, T0);
        Monitor(store, time).Evaluate(1);
        Assert.Empty(store.GetOpenIncidents(1));
    }

    private static void Instance(MonitoringDatabase db, string instance, string service, string? environment, DateTimeOffset lastSeen, string state = "running")
        => db.Sql("""
            INSERT INTO instances (project_id, instance, service, environment, interval_seconds, last_seen, state) VALUES (1, @i, @s, @e, 60, @t, @state)
            ON CONFLICT (project_id, instance) DO UPDATE SET last_seen = excluded.last_seen, state = excluded.state
            """, ("@i", instance), ("@s", service), ("@e", environment), ("@t", lastSeen.ToUnixTimeMilliseconds()), ("@state", state));

    private static async Task Until(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(200);
        }
    }
}
