using Sightline.AspNetCore.Capture;

namespace Sightline.AspNetCore.Tests.Capture;

public sealed class CapturePoolTests
{
    [Fact]
    public async Task Rent_AfterReturnsFromAnotherThread_ReusesEveryArray()
    {
        // Records' buffers are rented on request threads and returned by the shipper in bursts: all of a burst must be kept.
        var pool = new CapturePool(1024 * 1024);
        var rented = Enumerable.Range(0, 200).Select(_ => pool.Rent(2500)).ToArray();
        Assert.All(rented, a => Assert.Equal(4096, a.Length));

        await Task.Run(() => { foreach (var a in rented) pool.Return(a); });

        var again = Enumerable.Range(0, 200).Select(_ => pool.Rent(3000)).ToHashSet(ReferenceEqualityComparer.Instance);
        Assert.True(rented.All(again.Contains));
    }

    [Fact]
    public void Return_OverBudget_DropsArray()
    {
        var pool = new CapturePool(8192);
        var a = pool.Rent(4096);
        var b = pool.Rent(4096);
        var c = pool.Rent(4096);
        pool.Return(a);
        pool.Return(b);
        pool.Return(c); // over the 8 KiB budget: not kept

        var kept = new[] { pool.Rent(4096), pool.Rent(4096), pool.Rent(4096) };
        Assert.Contains(kept, k => ReferenceEquals(k, a));
        Assert.Contains(kept, k => ReferenceEquals(k, b));
        Assert.DoesNotContain(kept, k => ReferenceEquals(k, c));
    }

    [Fact]
    public void Rent_LengthIsAtLeastRequested()
    {
        var pool = new CapturePool(1024 * 1024);
        foreach (var n in new[] { 0, 1, 16, 17, 1024, 1025, 4096, 70000 })
            Assert.True(pool.Rent(n).Length >= n, $"{n}");
    }

    [Fact]
    public async Task RentOnManyThreads_ReturnOnAnother_NoArrayHandedOutTwice()
    {
        // Request threads rent and stamp a buffer; the "shipper" checks the stamp is intact, then returns it.
        // An array given to two renters at once would have its stamp overwritten. A small class (16 arrays) laps often.
        var pool = new CapturePool(16 * 2048);
        var handedOver = new System.Collections.Concurrent.ConcurrentQueue<(byte[] Array, long Stamp)>();
        var corrupted = 0;
        using var done = new CancellationTokenSource();
        var shipper = Task.Run(() =>
        {
            while (true)
            {
                var finished = done.IsCancellationRequested;
                while (handedOver.TryDequeue(out var item))
                {
                    if (BitConverter.ToInt64(item.Array) != item.Stamp) Interlocked.Increment(ref corrupted);
                    pool.Return(item.Array);
                }
                if (finished) break;
                Thread.Yield();
            }
        });
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (long i = 0; i < 20_000; i++)
            {
                var array = pool.Rent(2048);
                var stamp = (t * 1_000_000L) + i;
                BitConverter.TryWriteBytes(array, stamp);
                Thread.SpinWait(5);
                if (BitConverter.ToInt64(array) != stamp) Interlocked.Increment(ref corrupted);
                handedOver.Enqueue((array, stamp));
            }
        })));
        await done.CancelAsync();
        await shipper;

        Assert.Equal(0, corrupted);
    }
}
