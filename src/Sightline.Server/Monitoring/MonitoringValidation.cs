using System.Net.Mail;

namespace Sightline.Server.Monitoring;

/// <summary>
/// Validates user input for checks, rules and channels (API and dashboard share it). Errors are keyed
/// by field, as in RFC 9457 validation problem details.
/// </summary>
internal static class MonitoringValidation
{
    public static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
    public static readonly string[] RuleKinds = ["app_down", "check_down", "error_rate", "latency_p95", "latency_p99", "new_error_group", "refused_keys"];
    public static readonly string[] ChannelKinds = ["webhook", "slack", "email"];

    public static Dictionary<string, string[]> Check(CheckDefinition d)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(d.Name) || d.Name.Length > 200) errors["name"] = ["A name of 1 to 200 characters is required."];
        if (!Uri.TryCreate(d.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || d.Url.Length > 2000)
            errors["url"] = ["An absolute http:// or https:// URL is required."];
        if (!Methods.Contains(d.Method)) errors["method"] = [$"Method must be one of {string.Join(", ", Methods)}."];
        if (d.ExpectedStatus is < 100 or > 599) errors["expectedStatus"] = ["Expected status must be 100..599."];
        if (d.TimeoutMs is < 100 or > 60_000) errors["timeoutMs"] = ["Timeout must be 100..60000 ms."];
        if (d.IntervalSeconds is < 5 or > 86_400) errors["intervalSeconds"] = ["Interval must be 5..86400 seconds."];
        else if (d.TimeoutMs > d.IntervalSeconds * 1000) errors["timeoutMs"] = ["Timeout must not be longer than the interval."];
        if (d.BodyContains is { Length: > 1000 }) errors["bodyContains"] = ["The expected body text is at most 1000 characters."];
        if (d.FailureThreshold is < 1 or > 20) errors["failureThreshold"] = ["Failures before an incident must be 1..20."];
        return errors;
    }

    public static Dictionary<string, string[]> Rule(AlertRuleDefinition d, Func<long, bool> channelExists, Func<long, bool> checkExists)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(d.Name) || d.Name.Length > 200) errors["name"] = ["A name of 1 to 200 characters is required."];
        if (!RuleKinds.Contains(d.Kind)) errors["kind"] = [$"Kind must be one of {string.Join(", ", RuleKinds)}."];
        if (d.Environment is { Length: > 200 }) errors["environment"] = ["Environment is at most 200 characters."];
        if (d.Endpoint is not null)
        {
            if (d.Kind is not ("error_rate" or "latency_p95" or "latency_p99")) errors["endpoint"] = ["An endpoint applies only to error_rate and latency rules."];
            else if (!TrySplitEndpoint(d.Endpoint, out _, out _)) errors["endpoint"] = ["Endpoint is 'METHOD /route', e.g. 'GET /users/{id}'."];
        }
        if (d.CheckId is { } checkId && (d.Kind != "check_down" || !checkExists(checkId))) errors["checkId"] = ["checkId must name an existing check of a check_down rule."];
        switch (d.Kind)
        {
            case "error_rate" when d.Threshold is <= 0 or > 100:
                errors["threshold"] = ["The error-rate threshold is a percentage above 0 and at most 100."];
                break;
            case "latency_p95" or "latency_p99" when d.Threshold is <= 0 or > 600_000:
                errors["threshold"] = ["The latency threshold is in milliseconds, above 0."];
                break;
            case "refused_keys" when d.Threshold < 0:
                errors["threshold"] = ["The refused-attempt threshold is a count, 0 or more."];
                break;
        }
        if (double.IsNaN(d.Threshold) || double.IsInfinity(d.Threshold)) errors["threshold"] = ["The threshold must be a number."];
        if (d.WindowMinutes is < 1 or > 1440) errors["windowMinutes"] = ["The window is 1..1440 minutes."];
        if (d.MinRequests is < 0 or > 1_000_000_000) errors["minRequests"] = ["The minimum request count is 0 or more."];
        if (d.RenotifyMinutes is < 0 or > 10_080) errors["renotifyMinutes"] = ["Re-notify every 0 (never) to 10080 minutes."];
        var missing = d.ChannelIds.Where(c => !channelExists(c)).ToList();
        if (missing.Count > 0) errors["channelIds"] = [$"Unknown channel id(s): {string.Join(", ", missing)}."];
        return errors;
    }

    public static Dictionary<string, string[]> Channel(AlertChannelDefinition d)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(d.Name) || d.Name.Length > 200) errors["name"] = ["A name of 1 to 200 characters is required."];
        if (!ChannelKinds.Contains(d.Kind))
        {
            errors["kind"] = [$"Kind must be one of {string.Join(", ", ChannelKinds)}."];
            return errors;
        }
        if (d.Kind is "webhook" or "slack")
        {
            if (!Uri.TryCreate(d.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                errors["url"] = ["An absolute http:// or https:// URL is required."];
            if (d.EmailTo is not null) errors["emailTo"] = ["Only e-mail channels have recipients."];
        }
        else
        {
            var addresses = SplitAddresses(d.EmailTo);
            if (addresses.Count == 0 || addresses.Any(a => !MailAddress.TryCreate(a, out _))) errors["emailTo"] = ["One or more e-mail addresses, separated by commas, are required."];
            if (d.Url is not null) errors["url"] = ["E-mail channels have no URL."];
        }
        if (d.Secret is not null && (d.Kind != "webhook" || d.Secret.Length is < 16 or > 256))
            errors["secret"] = ["A signing secret (16..256 characters) applies only to webhook channels."];
        return errors;
    }

    public static List<string> SplitAddresses(string? emailTo)
        => (emailTo ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    public static bool TrySplitEndpoint(string endpoint, out string method, out string route)
    {
        var space = endpoint.IndexOf(' ', StringComparison.Ordinal);
        method = space > 0 ? endpoint[..space].ToUpperInvariant() : "";
        route = space > 0 ? endpoint[(space + 1)..].Trim() : "";
        return space > 0 && Methods.Contains(method) && route.StartsWith('/');
    }
}
