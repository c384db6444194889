using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Sightline.Server.Monitoring;
using Sightline.Server.Tests.Uptime;

namespace Sightline.Server.Tests.Alerts;

/// <summary>Notifications to a real webhook receiver, a Slack-compatible receiver and a real SMTP listener, with retries on a fake clock.</summary>
public sealed class AlertNotifierTests : IDisposable
{
    private const string Secret = "whsec-0123456789abcdef";
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly SqliteMonitoringDatabase _db = new();
    private readonly IMonitoringStore _store;
    private readonly FakeTimeProvider _time = new(T0);
    private readonly ChannelSecrets _secrets = new(new EphemeralDataProtectionProvider());
    private readonly MonitoringOptions _options = new() { DeliveryRetryBase = TimeSpan.FromSeconds(10), DeliveryMaxAttempts = 4 };
    private readonly AlertNotifier _notifier;

    public AlertNotifierTests()
    {
        _store = _db.NewStore();
        _notifier = new AlertNotifier(_store, HttpClients.Factory, _secrets, Options.Create(_options), _time, NullLogger<AlertNotifier>.Instance);
    }

    public void Dispose() => _db.Dispose();

    private long Raise(long channel, string message = "Error rate 12.5 % over 5 min")
        => _store.AddEvent(new AlertEvent(0, 1, 7, "API errors", "error_rate", "firing", message, 12.5, 5, "prod", null, _time.GetUtcNow()), [channel]);

    [Fact]
    public async Task Webhook_ReceiverFailsTwice_RetriedWithBackoffThenDeliveredOnceWithVerifiableSignature()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 2);
        var channel = _store.CreateChannel(1, new AlertChannelDefinition("hook", "webhook", receiver.Url.ToString(), null, Secret), _secrets.Protect(Secret), T0);
        var eventId = Raise(channel);

        Assert.Equal(1, await _notifier.DeliverDueAsync(CancellationToken.None)); // attempt 1: 500
        var afterFirst = Assert.Single(_store.GetDeliveries(1, problemsOnly: true));
        Assert.Equal(("pending", 1, T0.AddSeconds(10)), (afterFirst.Status, afterFirst.Attempts, afterFirst.NextAttempt));
        Assert.Equal("The receiver answered HTTP 500 Internal Server Error.", afterFirst.LastError);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, await _notifier.DeliverDueAsync(CancellationToken.None)); // backoff not over
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await _notifier.DeliverDueAsync(CancellationToken.None)); // attempt 2: 500, next wait doubles
        Assert.Equal(T0.AddSeconds(30), Assert.Single(_store.GetDeliveries(1, false)).NextAttempt);
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, await _notifier.DeliverDueAsync(CancellationToken.None)); // attempt 3: 200
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await _notifier.DeliverDueAsync(CancellationToken.None));

        var delivery = Assert.Single(_store.GetDeliveries(1, false));
        Assert.Equal(("delivered", 3), (delivery.Status, delivery.Attempts));
        Assert.Equal(3, receiver.Requests.Count);
        var (body, headers, _) = receiver.Requests.Last();
        Assert.True(WebhookSignature.Verify(Secret, headers[WebhookSignature.TimestampHeader], headers[WebhookSignature.SignatureHeader], body));
        Assert.False(WebhookSignature.Verify("another-secret-0123", headers[WebhookSignature.TimestampHeader], headers[WebhookSignature.SignatureHeader], body));
        var tampered = body.ToArray();
        tampered[^2] ^= 1;
        Assert.False(WebhookSignature.Verify(Secret, headers[WebhookSignature.TimestampHeader], headers[WebhookSignature.SignatureHeader], tampered));
        Assert.Equal(eventId.ToString(System.Globalization.CultureInfo.InvariantCulture), headers["X-Sightline-Event"]);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("alert.firing", json.RootElement.GetProperty("type").GetString());
        Assert.Equal("API errors", json.RootElement.GetProperty("rule").GetProperty("name").GetString());
        Assert.Equal(12.5, json.RootElement.GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task Webhook_WithoutSecret_SendsNoSignature()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var channel = _store.CreateChannel(1, new AlertChannelDefinition("hook", "webhook", receiver.Url.ToString(), null, null), null, T0);
        Raise(channel);
        await _notifier.DeliverDueAsync(CancellationToken.None);
        Assert.False(Assert.Single(receiver.Requests).Headers.ContainsKey(WebhookSignature.SignatureHeader));
    }

    [Fact]
    public async Task Webhook_AlwaysFailing_MarkedFailedAfterMaxAttempts()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: int.MaxValue);
        var channel = _store.CreateChannel(1, new AlertChannelDefinition("hook", "webhook", receiver.Url.ToString(), null, null), null, T0);
        Raise(channel);
        for (var i = 0; i < 10; i++)
        {
            await _notifier.DeliverDueAsync(CancellationToken.None);
            _time.Advance(TimeSpan.FromMinutes(10));
        }
        Assert.Equal(4, receiver.Requests.Count);
        var failed = Assert.Single(_store.GetDeliveries(1, problemsOnly: true));
        Assert.Equal(("failed", 4, "The receiver answered HTTP 500 Internal Server Error."), (failed.Status, failed.Attempts, failed.LastError));
    }

    [Fact]
    public async Task Webhook_ReceiverUnreachable_RetriesWithConnectionError()
    {
        var channel = _store.CreateChannel(1, new AlertChannelDefinition("hook", "webhook", "http://127.0.0.1:1/hook", null, null), null, T0);
        Raise(channel);
        await _notifier.DeliverDueAsync(CancellationToken.None);
        var d = Assert.Single(_store.GetDeliveries(1, problemsOnly: true));
        Assert.Equal("pending", d.Status);
        Assert.Contains("ConnectionRefused", d.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slack_IncomingWebhook_ReceivesEscapedTextMessage()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var channel = _store.CreateChannel(1, new AlertChannelDefinition("slack", "slack", receiver.Url.ToString(), null, null), null, T0);
        Raise(channel, "Error rate on <GET /users> & more");
        await _notifier.DeliverDueAsync(CancellationToken.None);
        using var json = JsonDocument.Parse(Assert.Single(receiver.Requests).Body);
        var text = json.RootElement.GetProperty("text").GetString();
        Assert.Equal(":red_circle: *FIRING: API errors*\nError rate on &lt;GET /users&gt; &amp; more", text);
    }

    [Fact]
    public async Task Email_ThroughSmtp_ArrivesWithSubjectAndMessage()
    {
        using var smtp = new SmtpSink();
        _options.Smtp = new SmtpSettings { Host = "127.0.0.1", Port = smtp.Port, From = "alerts@sightline.test" };
        var channel = _store.CreateChannel(1, new AlertChannelDefinition("mail", "email", null, "ops@example.com, oncall@example.com", null), null, T0);
        Raise(channel);
        await _notifier.DeliverDueAsync(CancellationToken.None);

        Assert.Equal("delivered", Assert.Single(_store.GetDeliveries(1, false)).Status);
        var (from, to, data) = Assert.Single(smtp.Messages);
        Assert.Equal("<alerts@sightline.test>", from);
        Assert.Equal(["<ops@example.com>", "<oncall@example.com>"], to);
        Assert.Contains("Subject: [Sightline] FIRING: API errors", data, StringComparison.Ordinal);
        var decoded = DecodeBody(data);
        Assert.Contains("Error rate 12.5 % over 5 min", decoded, StringComparison.Ordinal);
        Assert.Contains("Environment: prod", decoded, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Email_NoSmtpServerConfigured_FailsWithClearError()
    {
        var channel = _store.CreateChannel(1, new AlertChannelDefinition("mail", "email", null, "ops@example.com", null), null, T0);
        Raise(channel);
        await _notifier.DeliverDueAsync(CancellationToken.None);
        Assert.Equal("No SMTP server is configured (set Sightline:Monitoring:Smtp:Host).", Assert.Single(_store.GetDeliveries(1, true)).LastError);
    }

    // SmtpClient sends UTF-8 bodies as quoted-printable or base64; decode whichever it chose.
    private static string DecodeBody(string data)
    {
        var split = data.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = data[..split];
        var body = data[(split + 4)..];
        if (headers.Contains("base64", StringComparison.OrdinalIgnoreCase)) return Encoding.UTF8.GetString(Convert.FromBase64String(body.Replace("\r\n", "", StringComparison.Ordinal)));
        if (!headers.Contains("quoted-printable", StringComparison.OrdinalIgnoreCase)) return body;
        var bytes = new List<byte>();
        var text = body.Replace("=\r\n", "", StringComparison.Ordinal);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '=' && i + 2 < text.Length) { bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16)); i += 2; }
            else bytes.Add((byte)text[i]);
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
