namespace Sightline.Protocol.Wire;

/// <summary>
/// <c>HttpContext.Items</c> keys through which Sightline libraries that do not reference each
/// other cooperate on one request (e.g. Sightline.ApiKeys tells the SDK who the consumer is).
/// </summary>
public static class HttpContextItemKeys
{
    /// <summary>Holds a <see cref="ConsumerInfo"/> identifying the request's consumer.</summary>
    public const string Consumer = "Sightline.Consumer";

    /// <summary>Holds a <see cref="SecurityEvent"/> raised on the request (e.g. a refused API key).</summary>
    public const string SecurityEvent = "Sightline.SecurityEvent";
}
