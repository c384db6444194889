using Microsoft.Extensions.Options;
using Sightline.Server.Hosting;

namespace Sightline.Server.Monitoring;

/// <summary>Registers uptime checks, heartbeat monitoring and alerting (store per <see cref="ServerOptions.Storage"/>, background services, HTTP clients).</summary>
internal static class MonitoringSetup
{
    public static void AddSightlineMonitoring(this WebApplicationBuilder builder, ServerOptions server)
    {
        var services = builder.Services;
        services.AddOptions<MonitoringOptions>().Bind(builder.Configuration.GetSection(MonitoringOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MonitoringOptions>, MonitoringOptionsValidator>();
        IMonitoringStore store = string.Equals(server.Storage, "postgres", StringComparison.OrdinalIgnoreCase)
            ? new PostgresMonitoringStore(server.ConnectionString is { Length: > 0 } cs ? cs
                : throw new InvalidOperationException("Sightline:Server:ConnectionString is required when Sightline:Server:Storage is 'postgres'."))
            : new SqliteMonitoringStore(Path.Combine(server.DataDirectory, "sightline.db"));
        services.AddSingleton(_ => store); // factory registration: the container disposes it
        services.AddSingleton(MonitorOwner.Create());
        services.AddHttpClient(UptimeChecker.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
        services.AddHttpClient(AlertNotifier.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
        services.AddSingleton<ChannelSecrets>();
        services.AddSingleton<UptimeChecker>();
        services.AddSingleton<HeartbeatMonitor>();
        services.AddSingleton<AlertEvaluator>();
        services.AddSingleton<AlertNotifier>();
        if (!builder.Configuration.GetValue($"{MonitoringOptions.SectionName}:{nameof(MonitoringOptions.Enabled)}", true)) return;
        services.AddHostedService<UptimeCheckService>();
        services.AddHostedService<HeartbeatMonitorService>();
        services.AddHostedService<AlertEvaluatorService>();
        services.AddHostedService<AlertDeliveryService>();
        services.AddHostedService<MonitoringRetentionService>();
    }
}
