namespace Sightline.Server.Monitoring;

/// <summary>Uptime and alerting settings, bound from the <c>Sightline:Monitoring</c> configuration section.</summary>
public sealed class MonitoringOptions
{
    /// <summary>The configuration section: <c>Sightline:Monitoring</c>.</summary>
    public const string SectionName = "Sightline:Monitoring";

    /// <summary>Runs the uptime checker, heartbeat monitor, alert evaluator and notifier in this server. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the checker looks for due HTTP checks. Default: 1 second.</summary>
    public TimeSpan SchedulerTick { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often heartbeats are evaluated for silent instances, environments and services. Default: 15 seconds.</summary>
    public TimeSpan HeartbeatTick { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>An instance is down after this many heartbeat intervals without one. Default: 3.</summary>
    public int HeartbeatMissedIntervals { get; set; } = 3;

    /// <summary>Instances silent for longer than this are forgotten by the heartbeat monitor (their incidents stay in history). Default: 7 days.</summary>
    public TimeSpan ForgetInstancesAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often alert rules are evaluated. Default: 30 seconds.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often due notifications are sent. Default: 2 seconds.</summary>
    public TimeSpan DeliveryTick { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Wait before the first retry of a failed notification; doubles per attempt. Default: 10 seconds.</summary>
    public TimeSpan DeliveryRetryBase { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait between retries. Default: 10 minutes.</summary>
    public TimeSpan DeliveryRetryMax { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Attempts before a notification is marked failed (shown in the dashboard). Default: 6.</summary>
    public int DeliveryMaxAttempts { get; set; } = 6;

    /// <summary>Timeout of one webhook or SMTP delivery attempt. Default: 10 seconds.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>SMTP server for e-mail channels. Default: none (e-mail deliveries fail with a clear error until set).</summary>
    public SmtpSettings Smtp { get; set; } = new();

    /// <summary>Public URL of the dashboard, used for links in notifications. Default: none.</summary>
    public string? DashboardUrl { get; set; }
}
