using Sightline.AspNetCore.Capture;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Transport;

/// <summary>
/// Where capture hands what it saw. Every method is O(1), never blocks, never awaits I/O and
/// never throws: it returns false when the item was dropped (queue full, SDK disabled), and the
/// drop is counted.
/// </summary>
internal interface ITelemetrySink
{
    /// <summary>Queues a redacted request record (incoming with children, or standalone outgoing).</summary>
    bool TryEnqueue(RequestRecord record);

    /// <summary>Queues a captured incoming request (its pooled buffers are released once it is serialized, or at once when dropped).</summary>
    bool TryEnqueue(IncomingRecord record);

    /// <summary>Queues a metrics snapshot.</summary>
    bool TryEnqueue(MetricsSnapshot snapshot);

    /// <summary>Queues a start-up/heartbeat/shutdown message.</summary>
    bool TryEnqueue(Heartbeat heartbeat);

    /// <summary>Queues a security event.</summary>
    bool TryEnqueue(SecurityEvent securityEvent);
}
