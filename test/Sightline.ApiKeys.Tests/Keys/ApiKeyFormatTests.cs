using Sightline.ApiKeys.Internal;

namespace Sightline.ApiKeys.Tests.Keys;

public sealed class ApiKeyFormatTests
{
    [Fact]
    public void Generate_Default_HasDocumentedShape()
    {
        var key = ApiKeyFormat.Default.Generate();

        Assert.Equal(ApiKeyFormat.Default.KeyLength, key.Length);
        Assert.Equal("sl_live_".Length + 12 + 1 + 24 + 6, key.Length);
        Assert.StartsWith("sl_live_", key, StringComparison.Ordinal);
        Assert.Equal('_', key[8 + 12]);
        Assert.All(key[8..20] + key[21..], c => Assert.Contains(c, Base62.Alphabet));
    }

    [Fact]
    public void Generate_SecretEntropy_AtLeast128Bits()
    {
        Assert.True(ApiKeyFormat.SecretLength * Math.Log2(62) >= 128);
    }

    [Fact]
    public void Generate_ThenParse_RoundTripsId()
    {
        for (var i = 0; i < 200; i++)
        {
            var key = ApiKeyFormat.Default.Generate();
            Assert.True(ApiKeyFormat.Default.TryParse(key, out var id));
            Assert.Equal(key.Substring(8, 12), id.ToString());
        }
    }

    [Fact]
    public void Generate_ManyKeys_AllDistinct()
    {
        var keys = Enumerable.Range(0, 2000).Select(_ => ApiKeyFormat.Default.Generate()).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(2000, keys.Count);
        Assert.Equal(2000, keys.Select(k => k.Substring(8, 12)).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void TryParse_AnySingleCharacterChanged_Rejected()
    {
        var key = ApiKeyFormat.Default.Generate();
        for (var i = 0; i < key.Length; i++)
        {
            var chars = key.ToCharArray();
            chars[i] = chars[i] == 'a' ? 'b' : 'a';
            Assert.False(ApiKeyFormat.Default.TryParse(new string(chars), out _), $"changed at {i}: {new string(chars)}");
        }
    }

    [Fact]
    public void TryParse_AdjacentCharactersSwapped_Rejected()
    {
        var key = ApiKeyFormat.Default.Generate();
        for (var i = 8; i < key.Length - 1; i++)
        {
            if (key[i] == key[i + 1] || key[i] == '_' || key[i + 1] == '_') continue;
            var chars = key.ToCharArray();
            (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
            Assert.False(ApiKeyFormat.Default.TryParse(new string(chars), out _));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("sl_live_")]
    [InlineData("not a key")]
    [InlineData("sl_live_abc_def")]
    public void TryParse_Garbage_Rejected(string text)
    {
        Assert.False(ApiKeyFormat.Default.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_TruncatedExtendedOrLowercased_Rejected()
    {
        var key = ApiKeyFormat.Default.Generate();
        Assert.False(ApiKeyFormat.Default.IsValid(key.AsSpan(0, key.Length - 1)));
        Assert.False(ApiKeyFormat.Default.IsValid(key + "0"));
        Assert.False(ApiKeyFormat.Default.IsValid(" " + key.AsSpan(1).ToString()));
        if (key.ToLowerInvariant() != key) Assert.False(ApiKeyFormat.Default.IsValid(key.ToLowerInvariant()));
    }

    [Fact]
    public void TryParse_NonAsciiInPlaceOfDigit_Rejected()
    {
        var key = ApiKeyFormat.Default.Generate();
        var chars = key.ToCharArray();
        chars[30] = 'é';
        Assert.False(ApiKeyFormat.Default.IsValid(new string(chars)));
    }

    [Fact]
    public void TryParse_KeyOfAnotherPrefix_Rejected()
    {
        var ingest = new ApiKeyFormat("sl_ingest");
        var key = ingest.Generate();

        Assert.StartsWith("sl_ingest_", key, StringComparison.Ordinal);
        Assert.True(ingest.IsValid(key));
        Assert.False(ApiKeyFormat.Default.IsValid(key));
        Assert.False(ingest.IsValid(ApiKeyFormat.Default.Generate()));
    }

    [Fact]
    public void TryParse_ChecksumIsCrc32OfBody_InBase62()
    {
        var key = ApiKeyFormat.Default.Generate();
        var crc = System.IO.Hashing.Crc32.HashToUInt32(System.Text.Encoding.ASCII.GetBytes(key[..^6]));
        var digits = key[^6..].Aggregate(0UL, (acc, c) => (acc * 62) + (ulong)Base62.Alphabet.IndexOf(c));
        Assert.Equal(crc, digits);
    }

    [Theory]
    [InlineData("")]
    [InlineData("SL_live")]
    [InlineData("sl-live")]
    [InlineData("_sl")]
    [InlineData("sl__live")]
    [InlineData("sl_live_")]
    [InlineData("a_very_long_prefix_beyond_32_chars")]
    public void Constructor_InvalidPrefix_ThrowsNamingTheRule(string prefix)
    {
        var error = Assert.Throws<ArgumentException>(() => new ApiKeyFormat(prefix));
        Assert.Contains("lowercase letters and digits", error.Message, StringComparison.Ordinal);
    }
}
