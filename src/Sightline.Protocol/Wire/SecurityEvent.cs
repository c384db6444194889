namespace Sightline.Protocol.Wire;

/// <summary>A security event, such as a refused API-key attempt. Never carries a secret.</summary>
public sealed class SecurityEvent
{
    /// <summary>Unique id.</summary>
    public Guid Id { get; set; }

    /// <summary>When it happened (UTC).</summary>
    public DateTimeOffset Timestamp { get; set; }

    /// <summary>Kind, e.g. <c>apikey.refused</c>.</summary>
    public string Kind { get; set; } = "apikey.refused";

    /// <summary>Stable reason code, e.g. <c>missing</c>, <c>malformed</c>, <c>invalid</c>, <c>revoked</c>, <c>expired</c>, <c>ip_not_allowed</c>, <c>scope_missing</c>, <c>rate_limited</c>.</summary>
    public string Reason { get; set; } = "";

    /// <summary>Non-secret key id, when the key was well-formed.</summary>
    public string? KeyId { get; set; }

    /// <summary>Non-secret display prefix of the presented key.</summary>
    public string? KeyPrefix { get; set; }

    /// <summary>Client IP.</summary>
    public string? ClientIp { get; set; }

    /// <summary>HTTP method.</summary>
    public string? Method { get; set; }

    /// <summary>Request path.</summary>
    public string? Path { get; set; }
}
