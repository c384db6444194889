namespace Sightline.Protocol.Wire;

/// <summary>
/// A request feature (<c>HttpContext.Features</c>) through which Sightline libraries that do not
/// reference each other cooperate on one request: e.g. Sightline.ApiKeys tells the SDK who the
/// consumer is, or that it refused the request. A feature (not <c>HttpContext.Items</c>) so that
/// checking for it costs no allocation on requests where nobody set it.
/// </summary>
public interface ISightlineRequestHints
{
    /// <summary>The consumer that made the request, when known.</summary>
    ConsumerInfo? Consumer { get; }

    /// <summary>A security event raised on the request (e.g. a refused API key), when any.</summary>
    SecurityEvent? SecurityEvent { get; }
}
