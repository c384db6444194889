using System.Net;
using System.Net.Sockets;

namespace Sightline.ApiKeys.Internal;

/// <summary>
/// A key's allowed networks. IPv4-mapped IPv6 addresses (<c>::ffff:10.0.0.1</c>, what a dual-stack socket reports for
/// an IPv4 client) are compared as IPv4, and mapped networks (<c>::ffff:10.0.0.0/104</c>) as the IPv4 networks they are.
/// </summary>
internal sealed class IpAllowList
{
    private readonly IPNetwork[] _networks;

    private IpAllowList(IPNetwork[] networks) => _networks = networks;

    /// <summary>Null when <paramref name="cidrs"/> is empty (any address allowed). Invalid entries throw, naming them.</summary>
    public static IpAllowList? Create(string[] cidrs)
    {
        if (cidrs.Length == 0) return null;
        var networks = new IPNetwork[cidrs.Length];
        for (var i = 0; i < cidrs.Length; i++)
        {
            if (!TryParseNetwork(cidrs[i], out networks[i], out var error)) throw new FormatException(error);
        }
        return new IpAllowList(networks);
    }

    /// <summary>Allows nothing: used when a stored network list cannot be parsed (fail closed).</summary>
    public static IpAllowList DenyAll { get; } = new([]);

    public bool Contains(IPAddress? address)
    {
        if (address is null) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var network in _networks)
        {
            if (network.Contains(address)) return true;
        }
        return false;
    }

    /// <summary>Parses <c>address/prefix</c> or a bare address; rejects host bits set after the prefix (a likely typo).</summary>
    public static bool TryParseNetwork(string text, out IPNetwork network, out string? error)
    {
        network = default;
        error = null;
        var trimmed = text.Trim();
        var slash = trimmed.IndexOf('/');
        var addressText = slash < 0 ? trimmed : trimmed[..slash];
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%'))
        {
            error = $"'{text}' is not an IP address or CIDR network (e.g. 203.0.113.0/24 or 2001:db8::/32).";
            return false;
        }
        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = max;
        if (slash >= 0 && (!int.TryParse(trimmed.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix) || prefix > max))
        {
            error = $"'{text}' has an invalid prefix length; use 0-{max}.";
            return false;
        }
        if (address.IsIPv4MappedToIPv6 && prefix >= 96)
        {
            address = address.MapToIPv4();
            prefix -= 96;
        }
        var masked = Mask(address, prefix);
        if (!masked.Equals(address))
        {
            error = $"'{text}' has address bits set after the /{prefix} prefix; did you mean {masked}/{prefix}?";
            return false;
        }
        network = new IPNetwork(address, prefix);
        return true;
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }
        return new IPAddress(bytes);
    }
}
