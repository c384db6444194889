using Sightline.AspNetCore.Transport;

namespace Sightline.AspNetCore.Tests.Transport;

public sealed class DiskSpoolTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sightline-spool-tests", Guid.NewGuid().ToString("n"));

    private long BytesOnDisk() => Directory.EnumerateFiles(_directory, "*.batch").Sum(f => new FileInfo(f).Length);

    [Fact]
    public void Write_LongOutage_NeverExceedsMaxBytesAndCountsEveryDrop()
    {
        var spool = new DiskSpool(_directory, maxBytes: 10_000, TimeSpan.FromHours(1), 10, TimeProvider.System);
        var dropped = 0;

        for (var i = 0; i < 200; i++)
        {
            dropped += spool.Write(new byte[700 + (i % 5 * 100)], out var stored);
            Assert.True(stored);
            Assert.InRange(BytesOnDisk(), 1, 10_000);
        }

        Assert.Equal(200 - spool.Count, dropped);
    }

    [Fact]
    public void Write_AfterReplayDeletedBatches_UsesTheFreedRoom()
    {
        var spool = new DiskSpool(_directory, maxBytes: 5_000, TimeSpan.FromHours(1), 10, TimeProvider.System);
        for (var i = 0; i < 4; i++) spool.Write(new byte[1000], out _);
        for (var i = 0; i < 4; i++) spool.Delete(spool.Peek(out _)!);

        var dropped = 0;
        for (var i = 0; i < 5; i++) dropped += spool.Write(new byte[1000], out _);

        Assert.Equal(0, dropped);
        Assert.Equal(5, spool.Count);
    }

    [Fact]
    public void Write_AnotherProcessFilledTheFolder_StillTrimsToMaxBytes()
    {
        var spool = new DiskSpool(_directory, maxBytes: 5_000, TimeSpan.FromHours(1), 10, TimeProvider.System);
        spool.Write(new byte[1000], out _);
        var other = new DiskSpool(_directory, maxBytes: 50_000, TimeSpan.FromHours(1), 10, TimeProvider.System);
        for (var i = 0; i < 20; i++) other.Write(new byte[1000], out _);

        for (var i = 0; i < 64; i++) spool.Write(new byte[1000], out _);

        Assert.InRange(BytesOnDisk(), 1, 5_000);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
