using Sightline.Server.Storage;

namespace Sightline.Server.Tests.Storage;

public sealed class HistogramTextTests
{
    [Fact]
    public void Parse_FormatRoundTrip_KeepsEveryCount()
    {
        long[] counts = [0, 7, 1234567890123, 0, 42];

        Assert.Equal(counts, HistogramText.Parse(HistogramText.Format(counts), counts.Length));
    }

    [Theory]
    [InlineData("1,2,3", 5, new long[] { 1, 2, 3, 0, 0 })]
    [InlineData("1,2,3,4", 2, new long[] { 1, 2 })]
    [InlineData("", 2, new long[] { 0, 0 })]
    [InlineData("5,,6", 3, new long[] { 5, 6, 0 })]
    public void Parse_ShorterLongerOrEmpty_PadsOrTruncates(string text, int length, long[] expected)
        => Assert.Equal(expected, HistogramText.Parse(text, length));

    [Theory]
    [InlineData("1,-2")]
    [InlineData("1;2")]
    [InlineData("99999999999999999999")]
    public void Parse_NotCounts_Throws(string text)
        => Assert.ThrowsAny<Exception>(() => HistogramText.Parse(text, 4));
}
