using System.Net;
using Sightline.Protocol.Wire;

namespace Sightline.ApiKeys.Internal;

/// <summary>A stored key prepared for fast checks: parsed allowlist, consumer and the request hints to hand the SDK.</summary>
internal sealed class ValidatedKey
{
    public ValidatedKey(ApiKeyRecord record)
    {
        Record = record;
        ExpiresAtTicks = record.ExpiresAt?.UtcTicks ?? long.MaxValue;
        try { AllowList = IpAllowList.Create(record.AllowedNetworks); }
        catch (FormatException) { AllowList = IpAllowList.DenyAll; }
        var consumerId = string.IsNullOrEmpty(record.ConsumerId) ? record.DisplayPrefix : record.ConsumerId;
        Consumer = new ConsumerInfo
        {
            Identifier = consumerId.Length > WireConstants.MaxConsumerIdentifierLength ? consumerId[..WireConstants.MaxConsumerIdentifierLength] : consumerId,
            Name = record.ConsumerName ?? (string.IsNullOrEmpty(record.Name) ? null : record.Name),
            Group = record.ConsumerGroup,
        };
        Hints = new ApiKeyRequestHints(Consumer, null);
    }

    public ApiKeyRecord Record { get; }
    public long ExpiresAtTicks { get; }
    public IpAllowList? AllowList { get; }
    public ConsumerInfo Consumer { get; }

    /// <summary>Read-only hints (consumer only), shared by every request this key authenticates: no per-request allocation.</summary>
    public ApiKeyRequestHints Hints { get; }

    public bool IsAllowed(IPAddress? client) => AllowList is null || AllowList.Contains(client);

    public bool HasScope(string scope)
    {
        foreach (var s in Record.Scopes)
        {
            if (string.Equals(s, scope, StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
