using Sightline.AspNetCore.Capture;

namespace Sightline.AspNetCore.Tests.Capture;

public sealed class CapturePoolTests
{
    [Fact]
    public async Task Rent_AfterReturnsFromAnotherThread_ReusesEveryArray()
    {
        // Records' buffers are rented on request threads and returned by the shipper in bursts: all of a burst must be kept.
        var pool = new CapturePool<byte>(1024 * 1024);
        var rented = Enumerable.Range(0, 200).Select(_ => pool.Rent(2500)).ToArray();
        Assert.All(rented, a => Assert.Equal(4096, a.Length));

        await Task.Run(() => { foreach (var a in rented) pool.Return(a); });

        var again = Enumerable.Range(0, 200).Select(_ => pool.Rent(3000)).ToHashSet(ReferenceEqualityComparer.Instance);
        Assert.True(rented.All(again.Contains));
    }

    [Fact]
    public void Return_OverBudget_DropsArray()
    {
        var pool = new CapturePool<byte>(8192);
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
    public void Return_ClearArray_ClearsReferences()
    {
        var pool = new CapturePool<string>(1024 * 1024);
        var a = pool.Rent(10);
        a[0] = "secret-header-value";
        pool.Return(a, clearArray: true);

        Assert.Same(a, pool.Rent(10));
        Assert.Null(a[0]);
    }

    [Fact]
    public void Rent_LengthIsAtLeastRequested()
    {
        var pool = new CapturePool<byte>(1024 * 1024);
        foreach (var n in new[] { 0, 1, 16, 17, 1024, 1025, 4096, 70000 })
            Assert.True(pool.Rent(n).Length >= n, $"{n}");
    }
}
