using System.Globalization;
using System.Text;
using Sightline.AspNetCore.Capture;

namespace Sightline.AspNetCore.Tests.Capture;

/// <summary>A record's timestamp must be byte for byte what <c>DateTimeOffset.ToString("O")</c> writes, whatever the previous one was.</summary>
public sealed class TimestampFormatterTests
{
    private static string Expected(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    private static string Format(TimestampFormatter formatter, DateTimeOffset value)
    {
        var buffer = new byte[TimestampFormatter.MaxLength + 8];
        var n = formatter.Format(value, buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    [Fact]
    public void Format_RandomUtcTimestampsInAnyOrder_SameAsRoundTripFormat()
    {
        var formatter = new TimestampFormatter();
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var value = new DateTimeOffset(random.NextInt64(DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero);
            Assert.Equal(Expected(value), Format(formatter, value));
        }
    }

    [Fact]
    public void Format_SecondBoundariesForwardAndBack_NeverReusesTheWrongSecond()
    {
        var formatter = new TimestampFormatter();
        var start = new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero);
        long[] offsets = [0, 9_999_999, 10_000_000, 10_000_001, 9_999_999, 1, -1, 0, 86_400L * TimeSpan.TicksPerSecond, 5];
        foreach (var offset in offsets)
        {
            var value = start.AddTicks(offset);
            Assert.Equal(Expected(value), Format(formatter, value));
        }
        Assert.Equal("2027-01-01T00:00:00.0000000+00:00", Format(formatter, start.AddSeconds(1)));
        Assert.Equal("2026-12-31T23:59:59.9999999+00:00", Format(formatter, start.AddTicks(9_999_999)));
        Assert.Equal("0001-01-01T00:00:00.0000000+00:00", Format(formatter, DateTimeOffset.MinValue));
        Assert.Equal(Expected(DateTimeOffset.MaxValue), Format(formatter, DateTimeOffset.MaxValue));
    }

    [Fact]
    public void Format_NonZeroOffset_WrittenWithItsOffsetAndTheCacheStaysRight()
    {
        var formatter = new TimestampFormatter();
        var utc = new DateTimeOffset(2026, 11, 24, 7, 1, 18, TimeSpan.Zero).AddTicks(5_352_230);
        var local = utc.ToOffset(TimeSpan.FromHours(5.5));
        Assert.Equal(Expected(utc), Format(formatter, utc));
        Assert.Equal("2026-11-24T12:31:18.5352230+05:30", Format(formatter, local));
        Assert.Equal(Expected(utc.AddTicks(1)), Format(formatter, utc.AddTicks(1)));
    }
}
