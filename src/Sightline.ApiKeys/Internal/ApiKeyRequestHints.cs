using Sightline.Protocol.Wire;

namespace Sightline.ApiKeys.Internal;

/// <summary>What this library tells the Sightline SDK about a request (consumer, refusal), as a request feature.</summary>
internal sealed class ApiKeyRequestHints(ConsumerInfo? consumer, SecurityEvent? securityEvent) : ISightlineRequestHints
{
    public ConsumerInfo? Consumer { get; } = consumer;

    public SecurityEvent? SecurityEvent { get; } = securityEvent;
}
