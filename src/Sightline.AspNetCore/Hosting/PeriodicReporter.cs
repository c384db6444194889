using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Errors;
using Sightline.AspNetCore.Metrics;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Hosting;

/// <summary>
/// Sends the start-up message (versions, instance and the full route inventory), then heartbeats,
/// and flushes the metrics every interval (10 s during the first 5 minutes, so a new app shows data
/// quickly), with a last flush on shutdown.
/// </summary>
internal sealed class PeriodicReporter(
    MetricsAggregator metrics,
    ITelemetrySink sink,
    CaptureSettings settings,
    IOptions<SightlineOptions> options,
    TimeProvider time,
    IServiceProvider services) : BackgroundService
{
    private static readonly TimeSpan s_warmup = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_warmupInterval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled) return;
        // SightlineErrors.Report outside any request goes to the most recently started app.
        if (services.GetService(typeof(SightlineErrorReporter)) is SightlineErrorReporter reporter) SightlineErrors.Attach(reporter);
        // The route inventory is complete only once the app has started (the pipeline, and so the
        // endpoint data sources, are built by the web host's own start-up, which may run after ours).
        if (services.GetService(typeof(IHostApplicationLifetime)) is IHostApplicationLifetime lifetime && !lifetime.ApplicationStarted.IsCancellationRequested)
        {
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), ready))
            using (stoppingToken.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), ready))
                await ready.Task.ConfigureAwait(false);
            if (stoppingToken.IsCancellationRequested) return;
        }
        var started = time.GetUtcNow();
        sink.TryEnqueue(NewHeartbeat("startup", Routes()));
        var nextMetrics = started + Interval(o.MetricsInterval, started);
        var nextHeartbeat = started + o.HeartbeatInterval;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                var wake = nextMetrics < nextHeartbeat ? nextMetrics : nextHeartbeat;
                if (wake > now) await Task.Delay(wake - now, time, stoppingToken).ConfigureAwait(false);
                now = time.GetUtcNow();
                if (now >= nextMetrics)
                {
                    FlushMetrics();
                    nextMetrics = now + Interval(o.MetricsInterval, started);
                }
                if (now >= nextHeartbeat)
                {
                    sink.TryEnqueue(NewHeartbeat("heartbeat", null));
                    nextHeartbeat = now + o.HeartbeatInterval;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (!options.Value.Enabled) return;
        if (services.GetService(typeof(SightlineErrorReporter)) is SightlineErrorReporter reporter) SightlineErrors.Detach(reporter);
        FlushMetrics();
        sink.TryEnqueue(NewHeartbeat("shutdown", null));
    }

    internal void FlushMetrics()
    {
        if (metrics.Flush() is { } snapshot) sink.TryEnqueue(snapshot);
    }

    private TimeSpan Interval(TimeSpan configured, DateTimeOffset started)
        => time.GetUtcNow() - started < s_warmup && configured > s_warmupInterval ? s_warmupInterval : configured;

    private Heartbeat NewHeartbeat(string kind, List<RouteInfo>? routes) => new()
    {
        Id = Guid.CreateVersion7(),
        Kind = kind,
        Timestamp = time.GetUtcNow(),
        IntervalSeconds = (int)Math.Ceiling(options.Value.HeartbeatInterval.TotalSeconds),
        Service = settings.Service,
        Routes = routes,
    };

    private List<RouteInfo> Routes()
    {
        var routes = new List<RouteInfo>();
        var seen = new HashSet<(string, string)>();
        foreach (var source in services.GetService(typeof(IEnumerable<EndpointDataSource>)) as IEnumerable<EndpointDataSource> ?? [])
        {
            foreach (var endpoint in source.Endpoints)
            {
                if (endpoint is not RouteEndpoint route) continue;
                var template = route.RoutePattern.RawText ?? "";
                template = template.StartsWith('/') ? template : "/" + template;
                // Excluded paths (health checks, …) are never observed, so they are not listed as endpoints either.
                if (settings.IsExcluded(new PathString(template))) continue;
                var methods = route.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
                if (methods is null || methods.Count == 0) methods = ["*"];
                foreach (var method in methods)
                {
                    if (seen.Add((method, template)))
                        routes.Add(new RouteInfo { Method = method, Template = Cut(template), DisplayName = endpoint.DisplayName is { } name ? Cut(name) : null });
                }
            }
        }
        return routes;
    }

    private static string Cut(string value) => value.Length <= 512 ? value : value[..512];
}
