namespace Sightline.Protocol.Wire;

/// <summary>
/// One observed request: an incoming request the app served (with its outgoing calls as
/// <see cref="Outgoing"/>), or a standalone outgoing call made outside any request.
/// Every value in it has already been redacted by the SDK.
/// </summary>
public sealed class RequestRecord
{
    /// <summary>Unique id; the server stores a record once per id.</summary>
    public Guid Id { get; set; }

    /// <summary><see cref="WireConstants.DirectionIncoming"/> or <see cref="WireConstants.DirectionOutgoing"/>.</summary>
    public string Direction { get; set; } = WireConstants.DirectionIncoming;

    /// <summary>For an outgoing call, the id of the incoming request that made it; null when made outside a request.</summary>
    public Guid? ParentId { get; set; }

    /// <summary>UTC start time.</summary>
    public DateTimeOffset Timestamp { get; set; }

    /// <summary>Duration in nanoseconds.</summary>
    public long DurationNs { get; set; }

    /// <summary>HTTP method.</summary>
    public string Method { get; set; } = "";

    /// <summary>Route template such as <c>/users/{id}</c>; a bounded placeholder for unmatched requests, never the raw path.</summary>
    public string RouteTemplate { get; set; } = "";

    /// <summary>Request path (the raw path, for the log only; grouping uses <see cref="RouteTemplate"/>).</summary>
    public string Path { get; set; } = "";

    /// <summary>Query string with sensitive parameters redacted, without the leading <c>?</c>.</summary>
    public string? Query { get; set; }

    /// <summary>Host called (outgoing) or requested (incoming).</summary>
    public string? Host { get; set; }

    /// <summary>Full URL of an outgoing call, query redacted.</summary>
    public string? Url { get; set; }

    /// <summary>Response status code; 0 when an outgoing call got no response.</summary>
    public int Status { get; set; }

    /// <summary>Request headers (redacted). Repeated headers are joined with <c>", "</c>.</summary>
    public Dictionary<string, string>? RequestHeaders { get; set; }

    /// <summary>Response headers (redacted).</summary>
    public Dictionary<string, string>? ResponseHeaders { get; set; }

    /// <summary>Captured request body (redacted, capped), or null when not captured.</summary>
    public CapturedBody? RequestBody { get; set; }

    /// <summary>Captured response body (redacted, capped), or null when not captured.</summary>
    public CapturedBody? ResponseBody { get; set; }

    /// <summary>True request size in bytes, whether or not the body was captured.</summary>
    public long RequestSize { get; set; }

    /// <summary>True response size in bytes, whether or not the body was captured.</summary>
    public long ResponseSize { get; set; }

    /// <summary>Client IP address (after the app's forwarded-headers handling).</summary>
    public string? ClientIp { get; set; }

    /// <summary>User-Agent header.</summary>
    public string? UserAgent { get; set; }

    /// <summary>The consumer that made the request, when identified.</summary>
    public ConsumerInfo? Consumer { get; set; }

    /// <summary>Errors, in the order they happened.</summary>
    public List<ErrorInfo>? Errors { get; set; }

    /// <summary>Validation failures (400/422) by field.</summary>
    public List<ValidationFailure>? ValidationErrors { get; set; }

    /// <summary>Outgoing calls made while serving this request.</summary>
    public List<RequestRecord>? Outgoing { get; set; }

    /// <summary>W3C trace id (32 hex chars).</summary>
    public string? TraceId { get; set; }

    /// <summary>W3C span id (16 hex chars).</summary>
    public string? SpanId { get; set; }

    /// <summary>The service, when it differs from the batch's.</summary>
    public ServiceInfo? Service { get; set; }
}
