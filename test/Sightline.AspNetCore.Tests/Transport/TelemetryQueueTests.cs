using Microsoft.Extensions.Options;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Tests.Transport;

/// <summary>
/// The queue between capture and the shipper: bounded exactly, each item out once and in order, nothing lost when the ring laps;
/// incoming records compressed into their thread's segments, which count against the same bound.
/// </summary>
public sealed class TelemetryQueueTests
{
    private static TelemetryQueue Create(int capacity, out TransportMetrics metrics)
    {
        metrics = new TransportMetrics();
        return new TelemetryQueue(Options.Create(new SightlineOptions { ApiKey = "k", QueueCapacity = capacity }), metrics);
    }

    private static TelemetryQueue Create(int capacity, int batchMaxItems, out TransportMetrics metrics)
    {
        metrics = new TransportMetrics();
        return new TelemetryQueue(Options.Create(new SightlineOptions { ApiKey = "k", QueueCapacity = capacity, BatchMaxItems = batchMaxItems }), metrics);
    }

    // Ring items: heartbeats numbered by their kind.
    private static Heartbeat Record(int n) => new() { Kind = n.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private static int NumberOf(object item) => int.Parse(Assert.IsType<Heartbeat>(item).Kind, System.Globalization.CultureInfo.InvariantCulture);

    // An incoming record numbered n.
    private static IncomingRecord Incoming(int n) => PooledRecords.Incoming($"{{\"n\":{n}}}");

    // A segment's records: its gzip member decompressed, as the server reads a batch.
    private static int[] Numbers(object item)
    {
        var segment = Assert.IsType<RecordSegment>(item);
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(segment.Compressed.ToArray()), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var numbers = System.Text.Json.JsonDocument.Parse("[" + reader.ReadToEnd() + "]").RootElement.EnumerateArray().Select(e => e.GetProperty("n").GetInt32()).ToArray();
        Assert.Equal(segment.Records, numbers.Length);
        segment.Release();
        return numbers;
    }

    // Producer p made the numbers p * perProducer onwards: each must come out once, and one producer's in the order it made them.
    private static void AssertEachOnceInItsProducersOrder(List<int> seen, int producers, int perProducer)
    {
        Assert.Equal(producers * perProducer, seen.Count);
        Assert.Equal(producers * perProducer, seen.Distinct().Count());
        for (var p = 0; p < producers; p++)
        {
            var mine = seen.Where(n => n / perProducer == p).ToList();
            Assert.Equal(Enumerable.Range(p * perProducer, perProducer), mine);
        }
    }

    [Fact]
    public void Capacity_NotAPowerOfTwo_IsTheExactBound()
    {
        // A capacity that is not a power of two is held exactly: the fourth item is refused.
        var queue = Create(3, out var metrics);
        using var counters = new CounterListener(metrics);

        Assert.True(queue.TryEnqueue(Record(1)));
        Assert.True(queue.TryEnqueue(new Heartbeat { Kind = "2" }));
        Assert.True(queue.TryEnqueue(Record(3)));
        Assert.False(queue.TryEnqueue(Record(4)));
        Assert.Equal(3, queue.Count);
        Assert.Equal(1, counters["items.dropped"]);

        Assert.True(queue.TryDequeue(out var first));
        Assert.Equal(1, NumberOf(first));
        Assert.True(queue.TryEnqueue(Record(5))); // room again
        Assert.True(queue.TryDequeue(out var second));
        Assert.Equal(2, NumberOf(second));
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

        AssertEachOnceInItsProducersOrder(seen, producers, perProducer);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void IncomingRecords_CompressedIntoSegments_SealedWhenFullOrWhenTheShipperAsks()
    {
        // BatchMaxItems 16: a segment holds a quarter, 4 records. 10 records from one thread: two sealed segments, two records open.
        var queue = Create(1000, 16, out var metrics);
        using var counters = new CounterListener(metrics);
        for (var n = 0; n < 10; n++) Assert.True(queue.TryEnqueue(Incoming(n)));
        Assert.Equal(10, counters["items.queued"]);
        Assert.Equal(8, queue.Count); // the open segment's records are not waiting yet

        Assert.True(queue.TryDequeue(out var first));
        Assert.Equal([0, 1, 2, 3], Numbers(first));
        Assert.Equal(2, queue.SealOpenSegments());
        Assert.Equal(6, queue.Count);
        Assert.Equal(0, queue.SealOpenSegments()); // nothing open any more

        Assert.True(queue.TryDequeue(out var second));
        Assert.Equal([4, 5, 6, 7], Numbers(second));
        Assert.True(queue.TryDequeue(out var third));
        Assert.Equal([8, 9], Numbers(third));
        Assert.False(queue.TryDequeue(out _));
        Assert.Equal(0, queue.Count);
        Assert.Equal(0, counters["items.dropped"]);
    }

    [Fact]
    public void IncomingRecords_OpenOnesCountAgainstTheCapacity()
    {
        // Capacity 8 (segments of 2): eight records are accepted, the ninth is dropped and counted, whether they wait sealed or open.
        var queue = Create(8, 500, out var metrics);
        using var counters = new CounterListener(metrics);
        for (var n = 0; n < 7; n++) Assert.True(queue.TryEnqueue(Incoming(n)));
        Assert.Equal(6, queue.Count);
        Assert.True(queue.TryEnqueue(Incoming(7)));
        Assert.False(queue.TryEnqueue(Incoming(8)));
        Assert.False(queue.TryEnqueue(new Heartbeat { Kind = "h" }));
        Assert.Equal(2, counters["items.dropped"]);

        Assert.True(queue.TryDequeue(out var first));
        Assert.Equal([0, 1], Numbers(first));
        Assert.True(queue.TryEnqueue(Incoming(9))); // room again
        var rest = new List<int>();
        queue.SealOpenSegments();
        while (queue.TryDequeue(out var item)) rest.AddRange(Numbers(item));
        Assert.Equal([2, 3, 4, 5, 6, 7, 9], rest);
    }

    [Fact]
    public async Task IncomingRecords_ManyThreads_EachOutExactlyOnceInItsThreadsOrder()
    {
        // 4 producer threads and a consumer that seals open segments as it goes, on a queue small enough to refuse records now and then.
        const int producers = 4, perProducer = 5_000;
        var queue = Create(200, 500, out _);
        var seen = new List<int>(producers * perProducer);
        using var done = new CancellationTokenSource();
        var consumer = Task.Run(() =>
        {
            while (true)
            {
                var finished = done.IsCancellationRequested;
                queue.SealOpenSegments();
                while (queue.TryDequeue(out var item)) seen.AddRange(Numbers(item));
                if (finished) break;
                Thread.Yield();
            }
        });
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < perProducer; i++)
            {
                while (!queue.TryEnqueue(Incoming((p * perProducer) + i))) Thread.Yield();
            }
        }, TaskCreationOptions.LongRunning)));
        await done.CancelAsync();
        await consumer;

        AssertEachOnceInItsProducersOrder(seen, producers, perProducer);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void IncomingRecords_SeveralQueuesOnOneThread_EachKeepsItsOwn()
    {
        // Apps in one process share their request threads: six queues (more than a thread keeps writers for) used in turn from one
        // thread. Each queue's segments hold its own records only, in order, and its seal finds the ones a slot gave way to.
        var queues = Enumerable.Range(0, 6).Select(_ => Create(1000, 500, out TransportMetrics _)).ToArray();
        for (var n = 0; n < 60; n++) Assert.True(queues[n % 6].TryEnqueue(Incoming(n)));

        for (var q = 0; q < 6; q++)
        {
            Assert.True(queues[q].SealOpenSegments() > 0);
            var numbers = new List<int>();
            while (queues[q].TryDequeue(out var item)) numbers.AddRange(Numbers(item));
            Assert.Equal(Enumerable.Range(0, 10).Select(i => (i * 6) + q), numbers);
        }
    }

    [Fact]
    public void IncomingRecords_ThreadEnds_ItsRecordsAreSentAndItsWriterForgotten()
    {
        // A thread that wrote records and ended: the next seal ships what it left open and drops its writer, so threads that come
        // and go over an app's life do not pile up.
        var queue = Create(1000, 500, out TransportMetrics _);
        var thread = new Thread(() =>
        {
            for (var n = 0; n < 3; n++) Assert.True(queue.TryEnqueue(Incoming(n)));
        });
        thread.Start();
        thread.Join();
        Assert.Equal(1, queue.Segments.Writers.Length);

        Assert.Equal(3, queue.SealOpenSegments());
        Assert.Equal(0, queue.Segments.Writers.Length);
        Assert.True(queue.TryDequeue(out var item));
        Assert.Equal([0, 1, 2], Numbers(item));
    }
}
