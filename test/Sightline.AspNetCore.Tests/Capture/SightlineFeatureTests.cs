using Sightline.AspNetCore.Capture;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Tests.Capture;

/// <summary>
/// The feature allocates its lock only when something attaches: closing an unused feature must
/// still refuse later errors and outgoing calls (their callers then send them on their own), and
/// nothing attached concurrently with the close may be lost.
/// </summary>
public sealed class SightlineFeatureTests
{
    [Fact]
    public void Close_NothingAttached_RefusesLaterAttachmentsAndStillTracksSeenExceptions()
    {
        var feature = new SightlineFeature();

        Assert.Equal((null, null), feature.Close());
        Assert.False(feature.AddError(new ErrorInfo { Type = "E", Message = "m" }));
        Assert.False(feature.AddOutgoing(new RequestRecord { Id = Guid.NewGuid() }));
        var exception = new InvalidOperationException();
        Assert.True(feature.MarkSeen(exception));
        Assert.False(feature.MarkSeen(exception));
    }

    [Fact]
    public void Close_AfterAttachments_ReturnsThemInOrderAndRefusesLaterOnes()
    {
        var feature = new SightlineFeature();
        Assert.True(feature.AddError(new ErrorInfo { Type = "E1", Message = "m" }));
        Assert.True(feature.AddError(new ErrorInfo { Type = "E2", Message = "m" }));
        Assert.True(feature.AddOutgoing(new RequestRecord { Id = Guid.NewGuid() }));

        var (errors, outgoing) = feature.Close();

        Assert.Equal(["E1", "E2"], errors!.Select(e => e.Type));
        Assert.Single(outgoing!);
        Assert.False(feature.AddError(new ErrorInfo { Type = "E3", Message = "m" }));
    }

    [Fact]
    public async Task Close_RacingAttachments_EveryAcceptedOneIsReturnedExactlyOnce()
    {
        for (var round = 0; round < 200; round++)
        {
            var feature = new SightlineFeature();
            using var go = new ManualResetEventSlim();
            var accepted = new int[4];
            var adders = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
            {
                go.Wait();
                for (var i = 0; i < 50; i++)
                    if (feature.AddError(new ErrorInfo { Type = $"{t}-{i}", Message = "m" })) accepted[t]++;
            })).ToArray();
            go.Set();
            var (errors, _) = feature.Close();
            await Task.WhenAll(adders);
            Assert.Equal(accepted.Sum(), errors?.Count ?? 0);
            Assert.Equal(errors?.Count ?? 0, errors?.Select(e => e.Type).Distinct().Count() ?? 0);
        }
    }
}
