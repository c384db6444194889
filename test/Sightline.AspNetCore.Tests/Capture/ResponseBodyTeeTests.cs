using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Sightline.AspNetCore.Capture;

namespace Sightline.AspNetCore.Tests.Capture;

public sealed class ResponseBodyTeeTests
{
    [Fact]
    public async Task Rent_ConcurrentlyOnManyThreads_NeverHandsOneTeeToTwoRequests()
    {
        // Tees are kept per thread and in a shared pool; released on whichever thread the request ended on.
        var inUse = new ConcurrentDictionary<ResponseBodyTee, int>(ReferenceEqualityComparer.Instance);
        var inner = new StreamResponseBodyFeature(Stream.Null);
        var handedOutTwice = 0;
        var wrongCount = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                var tee = ResponseBodyTee.Rent(inner, 64);
                if (!inUse.TryAdd(tee, t)) Interlocked.Increment(ref handedOutTwice);
                var size = 1 + ((i + t) % 100);
                tee.Write(new byte[size]);
                if (i % 7 == 0) await Task.Yield(); // the request ends on another thread now and then
                if (tee.BytesWritten != size) Interlocked.Increment(ref wrongCount);
                inUse.TryRemove(tee, out _);
                tee.Release();
            }
        })));

        Assert.Equal(0, handedOutTwice);
        Assert.Equal(0, wrongCount);
    }

    [Fact]
    public void Rent_AfterRelease_StartsEmptyWithItsOwnCap()
    {
        var inner = new StreamResponseBodyFeature(Stream.Null);
        var first = ResponseBodyTee.Rent(inner, 1024);
        first.Write("{\"secret\":1}"u8);
        first.Release();

        var second = ResponseBodyTee.Rent(inner, 4);
        Assert.Equal(0, second.BytesWritten);
        Assert.True(second.Captured.IsEmpty);
        second.Write("abcdef"u8);
        Assert.Equal(6, second.BytesWritten);
        Assert.Equal("abcd"u8.ToArray(), second.Captured.ToArray());
        Assert.True(second.Truncated);
        second.Release();
    }
}
