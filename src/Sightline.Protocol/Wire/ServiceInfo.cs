namespace Sightline.Protocol.Wire;

/// <summary>Who sent the data: the app, its version and environment, and the process instance.</summary>
public sealed class ServiceInfo
{
    /// <summary>Service name (defaults to the entry assembly name in the SDK).</summary>
    public string Name { get; set; } = "";

    /// <summary>App version, e.g. <c>v2.0</c>.</summary>
    public string? Version { get; set; }

    /// <summary>Environment, e.g. <c>production</c>.</summary>
    public string? Environment { get; set; }

    /// <summary>Free-form tags, e.g. <c>region: us-east-1</c>.</summary>
    public List<string> Tags { get; set; } = [];

    /// <summary>Unique id of this process instance (stable for the life of the process).</summary>
    public string Instance { get; set; } = "";

    /// <summary>Version of the Sightline SDK.</summary>
    public string? SdkVersion { get; set; }

    /// <summary>Runtime description, e.g. <c>.NET 10.0.1</c>.</summary>
    public string? Runtime { get; set; }
}
