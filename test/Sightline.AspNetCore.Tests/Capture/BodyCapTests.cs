using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Sightline.AspNetCore.Tests.Capture;

public sealed class BodyCapTests
{
    private const int Cap = 64;

    [Theory]
    [InlineData(Cap - 1, false)]
    [InlineData(Cap, false)]
    [InlineData(Cap + 1, true)]
    public async Task Capture_BodyAroundCap_TruncationFlagExact(int length, bool truncated)
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, o => { o.MaxBodySize = Cap; o.NonJsonTextBodies = Redaction.TextBodyPolicy.Keep; },
            a => a.MapGet("/t", () => Results.Text(new string('x', length), "text/plain")));

        await app.Client.GetStringAsync("/t");

        var record = await collector.WaitForRecordAsync(r => r.Path == "/t");
        Assert.Equal(truncated, record.ResponseBody!.Truncated);
        Assert.Equal(Math.Min(length, Cap), record.ResponseBody.Content!.Length);
        Assert.Equal(length, record.ResponseSize);
    }

    [Fact]
    public async Task Capture_MultiByteCharacterSplitAtCap_KeepsOnlyWholeCharacters()
    {
        await using var collector = await Collector.StartAsync();
        var text = new string('a', Cap - 1) + "ü" + "tail"; // 'ü' is two bytes: the cap splits it
        await using var app = await SdkApp.StartAsync(collector.Address, o => { o.MaxBodySize = Cap; o.NonJsonTextBodies = Redaction.TextBodyPolicy.Keep; },
            a => a.MapGet("/t", () => Results.Text(text, "text/plain")));

        await app.Client.GetStringAsync("/t");

        var record = await collector.WaitForRecordAsync(r => r.Path == "/t");
        Assert.True(record.ResponseBody!.Truncated);
        Assert.Equal(new string('a', Cap - 1), record.ResponseBody.Content);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), record.ResponseSize);
    }
}
