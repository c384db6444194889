using System.Net;
using Sightline.ApiKeys.Internal;

namespace Sightline.ApiKeys.Tests.Authentication;

public sealed class IpAllowListTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.255.255.255", true)]
    [InlineData("10.0.0.0/8", "11.0.0.0", false)]
    [InlineData("10.0.0.0/8", "9.255.255.255", false)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)]           // IPv4-mapped IPv6 client (dual-stack socket)
    [InlineData("10.0.0.0/8", "::ffff:11.1.2.3", false)]
    [InlineData("::ffff:10.0.0.0/104", "10.1.2.3", true)]         // IPv4-mapped network
    [InlineData("::ffff:10.0.0.0/104", "::ffff:10.1.2.3", true)]
    [InlineData("::ffff:10.0.0.0/104", "11.1.2.3", false)]
    [InlineData("0.0.0.0/0", "1.2.3.4", true)]
    [InlineData("0.0.0.0/0", "::ffff:1.2.3.4", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    [InlineData("::/0", "2001:db8::1", true)]
    [InlineData("::/0", "1.2.3.4", false)]
    [InlineData("203.0.113.7/32", "203.0.113.7", true)]
    [InlineData("203.0.113.7/32", "203.0.113.8", false)]
    [InlineData("203.0.113.7", "203.0.113.7", true)]             // bare address: /32
    [InlineData("203.0.113.7", "203.0.113.6", false)]
    [InlineData("2001:db8::1/128", "2001:db8::1", true)]
    [InlineData("2001:db8::1/128", "2001:db8::2", false)]
    [InlineData("2001:db8::1", "2001:db8::1", true)]               // bare address: /128
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("127.0.0.1/32", "::1", false)]
    public void Contains_Boundaries(string network, string address, bool expected)
    {
        var list = IpAllowList.Create([network])!;
        Assert.Equal(expected, list.Contains(IPAddress.Parse(address)));
    }

    [Fact]
    public void Contains_NullAddress_False()
    {
        Assert.False(IpAllowList.Create(["0.0.0.0/0", "::/0"])!.Contains(null));
    }

    [Fact]
    public void Create_Empty_AllowsAny()
    {
        Assert.Null(IpAllowList.Create([]));
    }

    [Fact]
    public void Contains_SeveralNetworks_AnyMatches()
    {
        var list = IpAllowList.Create(["192.0.2.0/24", "2001:db8::/32"])!;
        Assert.True(list.Contains(IPAddress.Parse("192.0.2.200")));
        Assert.True(list.Contains(IPAddress.Parse("2001:db8::5")));
        Assert.False(list.Contains(IPAddress.Parse("198.51.100.1")));
    }

    [Theory]
    [InlineData("10.0.0.1/8", "did you mean 10.0.0.0/8")]
    [InlineData("10.0.0.0/33", "use 0-32")]
    [InlineData("2001:db8::/129", "use 0-128")]
    [InlineData("10.0.0.0/-1", "invalid prefix")]
    [InlineData("example.com", "not an IP address")]
    [InlineData("fe80::1%eth0", "not an IP address")]
    [InlineData("", "not an IP address")]
    public void TryParseNetwork_Invalid_ExplainsWhy(string text, string expected)
    {
        Assert.False(IpAllowList.TryParseNetwork(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
