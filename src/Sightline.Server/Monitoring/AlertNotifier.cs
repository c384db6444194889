using System.Globalization;
using System.Net.Mail;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Sightline.Server.Monitoring;

/// <summary>
/// Sends alert events to channels: a generic JSON webhook (optionally signed, see
/// <see cref="WebhookSignature"/>), a Slack-compatible incoming webhook, or e-mail through the configured
/// SMTP server. A failed attempt is retried with exponential backoff (<see cref="MonitoringOptions.DeliveryRetryBase"/>
/// doubling up to <see cref="MonitoringOptions.DeliveryRetryMax"/>) until <see cref="MonitoringOptions.DeliveryMaxAttempts"/>,
/// then marked failed; errors are kept on the delivery for the dashboard. URLs are never logged (Slack URLs are secrets).
/// </summary>
internal sealed partial class AlertNotifier(IMonitoringStore store, IHttpClientFactory httpClientFactory, ChannelSecrets secrets,
    IOptions<MonitoringOptions> options, TimeProvider time, ILogger<AlertNotifier> logger)
{
    public const string HttpClientName = "Sightline.AlertWebhooks";

    /// <summary>Claims and sends every due delivery once; returns how many were attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        // The claim holds the delivery for a few timeouts; a server dying mid-send leaves it to be retried after that.
        var due = store.ClaimDueDeliveries(now, now + o.DeliveryTimeout * 3, 20);
        foreach (var delivery in due)
        {
            var alertEvent = store.GetEvent(delivery.EventId);
            var channel = alertEvent is null ? null : store.GetChannel(alertEvent.ProjectId, delivery.ChannelId);
            if (alertEvent is null || channel is null)
            {
                store.CompleteDelivery(delivery.Id, "failed", "The channel or event was deleted.", null, time.GetUtcNow());
                continue;
            }
            string? error;
            try
            {
                await SendAsync(channel, alertEvent, delivery.Id, cancellationToken).ConfigureAwait(false);
                error = null;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                error = $"Timed out after {o.DeliveryTimeout.TotalSeconds:0.#} s.";
            }
            catch (Exception e) when (e is HttpRequestException or SmtpException or IOException or SocketException or DeliveryException or CryptographicException or InvalidOperationException)
            {
                error = Describe(e);
            }
            var finishedAt = time.GetUtcNow();
            if (error is null)
            {
                store.CompleteDelivery(delivery.Id, "delivered", null, null, finishedAt);
            }
            else if (delivery.Attempts >= o.DeliveryMaxAttempts)
            {
                store.CompleteDelivery(delivery.Id, "failed", error, null, finishedAt);
                LogGaveUp(logger, channel.Name, delivery.Attempts, error);
            }
            else
            {
                var wait = Backoff(o, delivery.Attempts);
                store.CompleteDelivery(delivery.Id, "pending", error, finishedAt + wait, finishedAt);
                LogRetry(logger, channel.Name, delivery.Attempts, wait.TotalSeconds, error);
            }
        }
        return due.Count;
    }

    /// <summary>Wait after failed attempt <paramref name="attempt"/> (1-based): base × 2^(attempt−1), capped.</summary>
    public static TimeSpan Backoff(MonitoringOptions o, int attempt)
    {
        var factor = Math.Pow(2, Math.Min(30, Math.Max(0, attempt - 1)));
        var wait = TimeSpan.FromTicks((long)Math.Min(o.DeliveryRetryBase.Ticks * factor, o.DeliveryRetryMax.Ticks));
        return wait;
    }

    private static string Describe(Exception e) => e switch
    {
        DeliveryException d => d.Message,
        HttpRequestException h => $"Request failed: {h.HttpRequestError}" + (h.InnerException is SocketException s ? $" ({s.SocketErrorCode})." : "."),
        SmtpException s => $"SMTP: {s.StatusCode}: {s.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private async Task SendAsync(AlertChannel channel, AlertEvent e, long deliveryId, CancellationToken cancellationToken)
    {
        var o = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(o.DeliveryTimeout);
        switch (channel.Kind)
        {
            case "webhook":
            {
                var body = WebhookBody(e, o.DashboardUrl);
                using var request = new HttpRequestMessage(HttpMethod.Post, channel.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
                request.Headers.Add("X-Sightline-Event", e.Id.ToString(CultureInfo.InvariantCulture));
                request.Headers.Add("X-Sightline-Delivery", deliveryId.ToString(CultureInfo.InvariantCulture));
                if (secrets.Unprotect(channel.ProtectedSecret) is { } secret)
                {
                    var ts = time.GetUtcNow().ToUnixTimeSeconds();
                    request.Headers.Add(WebhookSignature.TimestampHeader, ts.ToString(CultureInfo.InvariantCulture));
                    request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Compute(secret, ts, body));
                }
                await PostAsync(request, timeout.Token).ConfigureAwait(false);
                break;
            }
            case "slack":
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, channel.Url) { Content = new ByteArrayContent(SlackBody(e, o.DashboardUrl)) };
                request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
                await PostAsync(request, timeout.Token).ConfigureAwait(false);
                break;
            }
            case "email":
                await SendMailAsync(channel, e, o, timeout.Token).ConfigureAwait(false);
                break;
            default:
                throw new DeliveryException($"Unknown channel kind '{channel.Kind}'.");
        }
    }

    private async Task PostAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var client = httpClientFactory.CreateClient(HttpClientName);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new DeliveryException($"The receiver answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
    }

    private static async Task SendMailAsync(AlertChannel channel, AlertEvent e, MonitoringOptions o, CancellationToken cancellationToken)
    {
        var smtp = o.Smtp;
        if (string.IsNullOrEmpty(smtp.Host)) throw new DeliveryException("No SMTP server is configured (set Sightline:Monitoring:Smtp:Host).");
        using var message = new MailMessage { From = new MailAddress(smtp.From), Subject = Subject(e), Body = Text(e, o.DashboardUrl), BodyEncoding = Encoding.UTF8, SubjectEncoding = Encoding.UTF8 };
        foreach (var to in MonitoringValidation.SplitAddresses(channel.EmailTo)) message.To.Add(to);
        using var client = new SmtpClient(smtp.Host, smtp.Port) { EnableSsl = smtp.EnableSsl, Timeout = (int)o.DeliveryTimeout.TotalMilliseconds };
        if (smtp.UserName is not null) client.Credentials = new System.Net.NetworkCredential(smtp.UserName, smtp.Password);
        await client.SendMailAsync(message, cancellationToken).ConfigureAwait(false);
    }

    internal static string Subject(AlertEvent e) => $"[Sightline] {e.Kind.ToUpperInvariant()}: {e.RuleName}";

    private static string Text(AlertEvent e, string? dashboardUrl)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Rule: {e.RuleName} ({e.RuleKind})\nState: {e.Kind}\nAt: {e.At:u}\n\n{e.Message}\n");
        if (e.Environment is not null) sb.Append(CultureInfo.InvariantCulture, $"Environment: {e.Environment}\n");
        if (e.Endpoint is not null) sb.Append(CultureInfo.InvariantCulture, $"Endpoint: {e.Endpoint}\n");
        if (dashboardUrl is not null) sb.Append(CultureInfo.InvariantCulture, $"\n{dashboardUrl.TrimEnd('/')}/alerts\n");
        return sb.ToString();
    }

    /// <summary>The generic webhook document (documented in docs/alerts.md).</summary>
    internal static byte[] WebhookBody(AlertEvent e, string? dashboardUrl)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("id", e.Id);
            w.WriteString("type", "alert." + e.Kind);
            w.WriteString("state", e.Kind == "resolved" ? "resolved" : "firing");
            w.WriteStartObject("rule");
            w.WriteNumber("id", e.RuleId);
            w.WriteString("name", e.RuleName);
            w.WriteString("kind", e.RuleKind);
            w.WriteNumber("threshold", e.Threshold);
            w.WriteString("environment", e.Environment);
            w.WriteString("endpoint", e.Endpoint);
            w.WriteEndObject();
            w.WriteString("message", e.Message);
            if (e.Value is { } v) w.WriteNumber("value", v); else w.WriteNull("value");
            w.WriteString("at", e.At.UtcDateTime);
            if (dashboardUrl is not null) w.WriteString("dashboardUrl", dashboardUrl.TrimEnd('/') + "/alerts");
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>A Slack incoming-webhook message (<c>{"text": …}</c>, also understood by Mattermost and Rocket.Chat).</summary>
    internal static byte[] SlackBody(AlertEvent e, string? dashboardUrl)
    {
        var icon = e.Kind == "resolved" ? ":large_green_circle:" : ":red_circle:";
        var text = $"{icon} *{e.Kind.ToUpperInvariant()}: {Escape(e.RuleName)}*\n{Escape(e.Message)}" + (dashboardUrl is null ? "" : $"\n<{dashboardUrl.TrimEnd('/')}/alerts|Open Sightline>");
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("text", text);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    // Slack mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping).
    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    [LoggerMessage(EventId = 8031, Level = LogLevel.Warning, Message = "Notification to channel '{Channel}' failed (attempt {Attempt}); retrying in {Seconds} s: {Error}")]
    private static partial void LogRetry(ILogger logger, string channel, int attempt, double seconds, string error);

    [LoggerMessage(EventId = 8032, Level = LogLevel.Error, Message = "Notification to channel '{Channel}' failed after {Attempts} attempts: {Error}")]
    private static partial void LogGaveUp(ILogger logger, string channel, int attempts, string error);
}
