using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// Per-request capture context, stored in <c>HttpContext.Features</c>. Consumers, reported errors
/// (and, later, outgoing calls) attach to it; the middleware reads it when the request ends.
/// </summary>
internal sealed class SightlineFeature
{
    private readonly Lock _gate = new();
    private List<ErrorInfo>? _errors;
    private List<RequestRecord>? _outgoing;

    /// <summary>Id of the request record (also the parent id of outgoing calls).</summary>
    public Guid RecordId { get; } = RecordIds.NewVersion7();

    /// <summary>Whether exceptions logged during the request are attached (<see cref="SightlineOptions.CaptureLoggedErrors"/>).</summary>
    public bool CaptureLoggedErrors { get; set; }

    /// <summary>True when the request was chosen for a full record (set by the middleware).</summary>
    public bool Sampled { get; set; }

    /// <summary>The consumer set in code (<c>SetSightlineConsumer</c>).</summary>
    public ConsumerInfo? Consumer { get; set; }

    /// <summary>W3C trace id of the request (from its Activity, or generated), shared with its outgoing calls.</summary>
    public string? TraceId { get; set; }

    // Set when the record is built: later outgoing calls and errors are sent on their own (see Outgoing/, Errors/).
    private bool _closed;

    /// <summary>Attaches an outgoing call; false when the request's record was already built (the caller then sends it on its own).</summary>
    public bool AddOutgoing(RequestRecord record)
    {
        lock (_gate)
        {
            if (_closed) return false;
            (_outgoing ??= []).Add(record);
            return true;
        }
    }

    public List<RequestRecord>? TakeOutgoing()
    {
        lock (_gate)
        {
            _closed = true;
            return _outgoing;
        }
    }

    private List<Exception>? _seen;

    /// <summary>True the first time an exception object is seen on this request (so a logged and re-thrown exception is recorded once).</summary>
    public bool MarkSeen(Exception exception)
    {
        lock (_gate)
        {
            _seen ??= [];
            foreach (var e in _seen)
                if (ReferenceEquals(e, exception)) return false;
            _seen.Add(exception);
            return true;
        }
    }

    /// <summary>Attaches an error (kept in order); false when the request's record was already built.</summary>
    public bool AddError(ErrorInfo error)
    {
        lock (_gate)
        {
            if (_closed) return false;
            (_errors ??= []).Add(error);
            return true;
        }
    }

    public List<ErrorInfo>? TakeErrors()
    {
        lock (_gate)
        {
            _closed = true;
            return _errors;
        }
    }
}
