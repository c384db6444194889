namespace Sightline.Protocol.Wire;

/// <summary>Start-up, heartbeat or shutdown message from an SDK instance.</summary>
public sealed class Heartbeat
{
    /// <summary>Unique id of this message.</summary>
    public Guid Id { get; set; }

    /// <summary><c>startup</c>, <c>heartbeat</c> or <c>shutdown</c>.</summary>
    public string Kind { get; set; } = "heartbeat";

    /// <summary>When it was sent (UTC).</summary>
    public DateTimeOffset Timestamp { get; set; }

    /// <summary>Heartbeat interval the instance promises, in seconds (the server declares it silent after a few missed).</summary>
    public int IntervalSeconds { get; set; }

    /// <summary>The sending service and instance.</summary>
    public ServiceInfo? Service { get; set; }

    /// <summary>The app's full route inventory (sent on start-up; may be omitted on heartbeats).</summary>
    public List<RouteInfo>? Routes { get; set; }
}

/// <summary>One endpoint of the app's inventory.</summary>
public sealed class RouteInfo
{
    /// <summary>HTTP method, or <c>*</c> when the endpoint accepts any.</summary>
    public string Method { get; set; } = "";

    /// <summary>Route template, e.g. <c>/users/{id}</c>.</summary>
    public string Template { get; set; } = "";

    /// <summary>Endpoint display name.</summary>
    public string? DisplayName { get; set; }
}
