using Microsoft.Extensions.Options;

namespace Sightline.Server.Monitoring;

/// <summary>Start-up validation of <see cref="MonitoringOptions"/>: each failure names the option and the fix.</summary>
internal sealed class MonitoringOptionsValidator : IValidateOptions<MonitoringOptions>
{
    public ValidateOptionsResult Validate(string? name, MonitoringOptions o)
    {
        var errors = new List<string>();
        void Positive(string option, TimeSpan value)
        {
            if (value <= TimeSpan.Zero) errors.Add($"Sightline:Monitoring:{option} must be a positive time span (e.g. 00:00:30); it is {value}.");
        }
        Positive(nameof(o.SchedulerTick), o.SchedulerTick);
        Positive(nameof(o.HeartbeatTick), o.HeartbeatTick);
        Positive(nameof(o.ForgetInstancesAfter), o.ForgetInstancesAfter);
        Positive(nameof(o.EvaluationInterval), o.EvaluationInterval);
        Positive(nameof(o.DeliveryTick), o.DeliveryTick);
        Positive(nameof(o.DeliveryRetryBase), o.DeliveryRetryBase);
        Positive(nameof(o.DeliveryRetryMax), o.DeliveryRetryMax);
        Positive(nameof(o.DeliveryTimeout), o.DeliveryTimeout);
        if (o.HeartbeatMissedIntervals < 1) errors.Add($"Sightline:Monitoring:HeartbeatMissedIntervals must be at least 1; it is {o.HeartbeatMissedIntervals}.");
        if (o.DeliveryMaxAttempts < 1) errors.Add($"Sightline:Monitoring:DeliveryMaxAttempts must be at least 1; it is {o.DeliveryMaxAttempts}.");
        if (o.Smtp.Port is < 1 or > 65535) errors.Add($"Sightline:Monitoring:Smtp:Port must be 1..65535; it is {o.Smtp.Port}.");
        if (o.DashboardUrl is not null && !Uri.TryCreate(o.DashboardUrl, UriKind.Absolute, out _))
            errors.Add($"Sightline:Monitoring:DashboardUrl must be an absolute URL such as https://sightline.example.com; it is '{o.DashboardUrl}'.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
