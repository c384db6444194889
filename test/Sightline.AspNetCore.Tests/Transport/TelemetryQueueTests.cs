using Microsoft.Extensions.Options;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Tests.Transport;

/// <summary>The ring queue between capture and the shipper: bounded exactly, each item out once and in order, nothing lost when the ring laps.</summary>
public sealed class TelemetryQueueTests
{
    private static TelemetryQueue Create(int capacity, out TransportMetrics metrics)
    {
        metrics = new TransportMetrics();
        return new TelemetryQueue(Options.Create(new SightlineOptions { ApiKey = "k", QueueCapacity = capacity }), metrics);
    }

    private static IncomingRecord Record(int n)
    {
        var buffer = CapturePool.Shared.Rent(16);
        BitConverter.TryWriteBytes(buffer, n);
        return IncomingRecord.FromJson(buffer, 4);
    }

    private static int NumberOf(QueuedItem item) => BitConverter.ToInt32((byte[])item.Item, 0);

    [Fact]
    public void Capacity_NotAPowerOfTwo_IsTheExactBound()
    {
        // A capacity that is not a power of two is held exactly: the fourth item is refused.
        var queue = Create(3, out var metrics);
        using var counters = new CounterListener(metrics);

        Assert.True(queue.TryEnqueue(Record(1)));
        Assert.True(queue.TryEnqueue(new Heartbeat { Kind = "h" }));
        Assert.True(queue.TryEnqueue(Record(3)));
        Assert.False(queue.TryEnqueue(Record(4)));
        Assert.Equal(3, queue.Count);
        Assert.Equal(1, counters["items.dropped"]);

        Assert.True(queue.TryDequeue(out var first));
        Assert.Equal(1, NumberOf(first));
        Assert.Equal(4, first.Length);
        Assert.True(queue.TryEnqueue(Record(5))); // room again
        Assert.True(queue.TryDequeue(out var second));
        Assert.Equal("h", Assert.IsType<Heartbeat>(second.Item).Kind);
        Assert.True(queue.TryDequeue(out var third));
        Assert.Equal(3, NumberOf(third));
        Assert.True(queue.TryDequeue(out var fifth));
        Assert.Equal(5, NumberOf(fifth));
        Assert.False(queue.TryDequeue(out _));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void ManyLaps_SingleThread_FifoAndNothingLost()
    {
        var queue = Create(5, out _);
        var next = 0;
        var expected = 0;
        for (var round = 0; round < 10_000; round++)
        {
            // Fill to a varying depth, then take a varying number out: the ring's positions wrap thousands of times.
            for (var i = round % 5; i >= 0; i--) if (queue.TryEnqueue(Record(next))) next++;
            for (var i = (round * 7) % 6; i >= 0 && queue.TryDequeue(out var item); i--) Assert.Equal(expected++, NumberOf(item));
        }
        while (queue.TryDequeue(out var item)) Assert.Equal(expected++, NumberOf(item));
        Assert.Equal(next, expected);
    }

    [Fact]
    public async Task ManyProducers_SmallRing_EachItemOutExactlyOnceInEachProducersOrder()
    {
        // 4 producers and a consumer racing on a 61-slot queue that laps over a thousand times; producers retry when it is full.
        const int producers = 4, perProducer = 20_000;
        var queue = Create(61, out _);
        var seen = new List<int>(producers * perProducer);
        using var done = new CancellationTokenSource();
        var consumer = Task.Run(() =>
        {
            while (true)
            {
                var finished = done.IsCancellationRequested;
                while (queue.TryDequeue(out var item)) seen.Add(NumberOf(item));
                if (finished) break;
                Thread.Yield();
            }
        });
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < perProducer; i++)
            {
                while (!queue.TryEnqueue(Record((p * perProducer) + i))) Thread.Yield();
            }
        })));
        await done.CancelAsync();
        await consumer;

        Assert.Equal(producers * perProducer, seen.Count);
        Assert.Equal(producers * perProducer, seen.Distinct().Count());
        for (var p = 0; p < producers; p++)
        {
            var mine = seen.Where(n => n / perProducer == p).ToList();
            Assert.Equal(Enumerable.Range(p * perProducer, perProducer), mine); // one producer's items keep their order
        }
        Assert.Equal(0, queue.Count);
    }
}
