using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Sightline.Samples.Orders;

/// <summary>
/// For the load benchmark's allocation report (bench/alloc.sh): the runtime's sampled allocation events
/// (GCAllocationTick, one per ~100 KB allocated) summed by type. Off unless SIGHTLINE_BENCH_ALLOCATIONS=1.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    /// <summary>Sampled bytes by type name since start-up.</summary>
    public ConcurrentDictionary<string, long> Bytes { get; } = new();

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is not "GCAllocationTick_V4" || eventData.Payload is null || eventData.PayloadNames is null) return;
        var typeAt = eventData.PayloadNames.IndexOf("TypeName");
        var amountAt = eventData.PayloadNames.IndexOf("AllocationAmount64");
        var type = typeAt >= 0 ? eventData.Payload[typeAt] as string ?? "?" : "?";
        var amount = amountAt >= 0 ? Convert.ToInt64(eventData.Payload[amountAt], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        Bytes.AddOrUpdate(type, amount, (_, total) => total + amount);
    }
}
