using Sightline.Redaction;

namespace Sightline.AspNetCore;

/// <summary>
/// Options of the Sightline SDK. Bind from the <c>Sightline</c> configuration section or set in
/// code through <c>AddSightline(o =&gt; …)</c>; code wins. Validated at start-up: an invalid value
/// fails the app's start with a message naming the option.
/// </summary>
/// <remarks>Capture and redaction options live in this file; shipping options in <c>SightlineOptions.Transport.cs</c>.</remarks>
public sealed partial class SightlineOptions
{
    /// <summary>The configuration section options bind from: <c>Sightline</c>.</summary>
    public const string SectionName = "Sightline";

    /// <summary>The project's ingest key, issued by the Sightline server. Required; no default.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Turns the SDK on or off. Default: <c>true</c>. When off, requests pass through untouched.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Logs what is sent and why anything is dropped (never secrets). Default: <c>false</c>.</summary>
    public bool Debug { get; set; }

    /// <summary>Service name shown in the dashboard. Default: the application name of the host environment.</summary>
    public string? ServiceName { get; set; }

    /// <summary>Your app's version, e.g. <c>v2.0</c>. Default: none.</summary>
    public string? ServiceVersion { get; set; }

    /// <summary>Environment, e.g. <c>production</c>. Default: the host environment's name.</summary>
    public string? Environment { get; set; }

    /// <summary>Tags for grouping and filtering, e.g. <c>region: us-east-1</c>. Default: none.</summary>
    public List<string> Tags { get; set; } = [];

    /// <summary>
    /// Fraction (0..1) of requests recorded as full records (headers, bodies). Metrics always cover
    /// 100% of requests. Default: <c>1.0</c>.
    /// </summary>
    public double SampleRate { get; set; } = 1.0;

    /// <summary>
    /// Path prefixes that are not observed at all (case-insensitive), e.g. health checks and static
    /// files. Default: <c>/healthz</c>, <c>/readyz</c>, <c>/favicon.ico</c>.
    /// </summary>
    public List<string> ExcludePaths { get; set; } = ["/healthz", "/readyz", "/favicon.ico"];

    /// <summary>Capture request bodies (redacted, capped). Default: <c>true</c>.</summary>
    public bool CaptureRequestBody { get; set; } = true;

    /// <summary>Capture response bodies (redacted, capped). Default: <c>true</c>.</summary>
    public bool CaptureResponseBody { get; set; } = true;

    /// <summary>
    /// Most bytes of a body kept per direction; longer bodies are redacted up to the cut and
    /// flagged <c>truncated</c>. Sizes are always counted in full. Default: 65536 (64 KiB).
    /// </summary>
    public int MaxBodySize { get; set; } = 64 * 1024;

    /// <summary>
    /// Media types whose bodies are captured (<c>*</c> wildcards allowed, e.g. <c>application/*+json</c>);
    /// other bodies are recorded as size and content type only. Default: JSON, <c>application/*+json</c>,
    /// form-urlencoded, <c>text/plain</c>, <c>text/xml</c>, <c>application/xml</c>.
    /// </summary>
    public List<string> CapturedContentTypes { get; set; } =
        ["application/json", "application/*+json", "application/x-www-form-urlencoded", "text/plain", "text/xml", "application/xml"];

    /// <summary>
    /// What to do with captured text bodies that are neither JSON nor form-encoded (they cannot be
    /// redacted by path). Default: <see cref="TextBodyPolicy.Drop"/> (privacy: only size and type are kept).
    /// </summary>
    public TextBodyPolicy NonJsonTextBodies { get; set; } = TextBodyPolicy.Drop;

    /// <summary>
    /// Header names whose values are replaced by <c>[CLIENT_REDACTED]</c> (case-insensitive), in addition
    /// to the always-redacted <c>Authorization</c>, <c>Proxy-Authorization</c>, <c>Cookie</c>, <c>Set-Cookie</c>,
    /// <c>X-Api-Key</c>. Default: none added.
    /// </summary>
    public List<string> RedactHeaders { get; set; } = [];

    /// <summary>RFC 9535 JSONPaths redacted in request bodies, e.g. <c>$.users[*].credit_card</c>. Default: none.</summary>
    public List<string> RedactRequestBody { get; set; } = [];

    /// <summary>RFC 9535 JSONPaths redacted in response bodies, e.g. <c>$.user.email</c>. Default: none.</summary>
    public List<string> RedactResponseBody { get; set; } = [];

    /// <summary>
    /// Query-string parameters (and form fields) whose values are redacted, case-insensitive.
    /// Default: <c>api_key</c>, <c>apikey</c>, <c>token</c>, <c>access_token</c>, <c>password</c>.
    /// </summary>
    public List<string> RedactQueryParams { get; set; } = ["api_key", "apikey", "token", "access_token", "password"];

    /// <summary>
    /// Claim type used to identify the consumer from the authenticated user (e.g. <c>sub</c>).
    /// Default: <c>null</c> (off). Consumers set in code or by Sightline.ApiKeys take precedence.
    /// </summary>
    public string? ConsumerClaimType { get; set; }

    /// <summary>Attach exceptions logged at Error or above through <c>ILogger</c> during a request to its record. Default: <c>true</c>.</summary>
    public bool CaptureLoggedErrors { get; set; } = true;

    /// <summary>
    /// Names of <c>IHttpClientFactory</c> clients whose calls are not recorded (all others are).
    /// Default: none. Hand-built clients are observed through <c>CreateSightlineHandler</c>.
    /// </summary>
    public List<string> ExcludeHttpClients { get; set; } = [];

    /// <summary>Interval of the 100%-traffic metrics (10 s during the first 5 minutes). Default: 60 s.</summary>
    public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Interval of heartbeats that tell the server the app is alive. Default: 60 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(60);
}
