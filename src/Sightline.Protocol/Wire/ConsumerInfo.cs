namespace Sightline.Protocol.Wire;

/// <summary>The API consumer that made a request.</summary>
public sealed class ConsumerInfo
{
    /// <summary>Stable identifier (at most <see cref="WireConstants.MaxConsumerIdentifierLength"/> characters).</summary>
    public string Identifier { get; set; } = "";

    /// <summary>Display name.</summary>
    public string? Name { get; set; }

    /// <summary>Group, e.g. a customer tier or tenant.</summary>
    public string? Group { get; set; }
}
