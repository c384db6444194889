using System.Globalization;
using Sightline.AspNetCore.Capture;

namespace Sightline.AspNetCore.Tests.Capture;

public sealed class RecordIdsTests
{
    [Fact]
    public void NewVersion7_Layout_Rfc9562Version7WithMillisecondsFirst()
    {
        var at = new DateTimeOffset(2026, 11, 23, 12, 34, 56, 789, TimeSpan.Zero);

        var id = RecordIds.NewVersion7(at);

        Assert.Equal(7, id.Version);
        Assert.InRange(id.Variant, 8, 11); // RFC 9562 variant: top bits 10
        var hex = id.ToString("N");
        Assert.Equal(at.ToUnixTimeMilliseconds(), long.Parse(hex[..12], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void NewVersion7_ManyIdsSameMillisecond_AllDistinct()
    {
        var at = DateTimeOffset.UtcNow;
        var ids = new HashSet<Guid>();
        for (var i = 0; i < 100_000; i++) Assert.True(ids.Add(RecordIds.NewVersion7(at)));
    }

    [Fact]
    public void NewVersion7_LaterMillisecond_SortsAfterAsText()
    {
        var first = RecordIds.NewVersion7(DateTimeOffset.UnixEpoch.AddMilliseconds(1_000_000));
        var second = RecordIds.NewVersion7(DateTimeOffset.UnixEpoch.AddMilliseconds(1_000_001));

        Assert.True(string.CompareOrdinal(first.ToString(), second.ToString()) < 0);
    }
}
