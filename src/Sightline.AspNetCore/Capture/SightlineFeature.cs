using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// Per-request capture context, stored in <c>HttpContext.Features</c>. Consumers, reported errors
/// (and, later, outgoing calls) attach to it; the middleware reads it when the request ends.
/// </summary>
internal sealed class SightlineFeature
{
    // Installed by Close() when nothing was ever attached: the feature is closed and no per-request
    // lock was needed. Most requests attach nothing, so they never allocate or take a lock.
    private static readonly Lock s_closedUnused = new();
    private Lock? _gate;
    private List<ErrorInfo>? _errors;
    private List<RequestRecord>? _outgoing;

    /// <summary>A feature whose record id is taken now (user code that touches the request before the middleware does).</summary>
    public SightlineFeature()
        : this(RecordIds.NewVersion7())
    {
    }

    /// <summary>A feature whose record id is <paramref name="recordId"/> (the middleware's, from the request's start time: no second clock read).</summary>
    public SightlineFeature(Guid recordId) => RecordId = recordId;

    /// <summary>Id of the request record (also the parent id of outgoing calls).</summary>
    public Guid RecordId { get; }

    /// <summary>Whether exceptions logged during the request are attached (<see cref="SightlineOptions.CaptureLoggedErrors"/>).</summary>
    public bool CaptureLoggedErrors { get; set; }

    /// <summary>True when the request was chosen for a full record (set by the middleware).</summary>
    public bool Sampled { get; set; }

    /// <summary>True once the request has ended (<see cref="RequestScope.End"/>): work it left running is no longer inside it.</summary>
    public bool ScopeEnded
    {
        get => Volatile.Read(ref _scopeEnded);
        set => Volatile.Write(ref _scopeEnded, value);
    }

    private bool _scopeEnded;

    /// <summary>The error reporter of the app that records this request (for <see cref="SightlineErrors.Report"/>); set by the middleware.</summary>
    public Errors.SightlineErrorReporter? Reporter { get; set; }

    /// <summary>The consumer set in code (<c>SetSightlineConsumer</c>).</summary>
    public ConsumerInfo? Consumer { get; set; }

    private string? _traceId;
    private ulong _randomTraceHigh, _randomTraceLow;

    /// <summary>
    /// W3C trace id of the request (from its Activity, or generated), shared with its outgoing calls.
    /// A generated id is kept as two numbers and only formatted when something asks for it (an
    /// outgoing call, an error): the record itself writes it as hex without a string.
    /// </summary>
    public string? TraceId
    {
        get => _traceId ??= (_randomTraceHigh | _randomTraceLow) == 0 ? null : RandomTraceId(_randomTraceHigh, _randomTraceLow);
        set => _traceId = value;
    }

    /// <summary>Gives the request a random trace id (when it has no Activity).</summary>
    public void UseRandomTraceId()
    {
        var random = Random.Shared;
        _randomTraceHigh = (ulong)random.NextInt64(long.MinValue, long.MaxValue);
        _randomTraceLow = (ulong)random.NextInt64(long.MinValue, long.MaxValue) | 1; // never the invalid all-zero id
    }

    /// <summary>The generated trace id as numbers, unless a string id was set (then false).</summary>
    public bool TryGetRandomTraceId(out ulong high, out ulong low)
    {
        high = _randomTraceHigh;
        low = _randomTraceLow;
        return _traceId is null && (high | low) != 0;
    }

    /// <summary>The lower-case hex of a generated trace id (high 64 bits first), as <see cref="System.Diagnostics.ActivityTraceId.ToHexString"/> would write those bytes.</summary>
    public static string RandomTraceId(ulong high, ulong low)
        => string.Create(null, stackalloc char[32], $"{high:x16}{low:x16}");

    // The lock, created by the first caller that attaches something (or the shared closed one).
    private Lock Gate => _gate ?? Interlocked.CompareExchange(ref _gate, new Lock(), null) ?? _gate!;

    // Set when the record is built: later outgoing calls and errors are sent on their own (see Outgoing/, Errors/).
    private bool _closed;

    /// <summary>Attaches an outgoing call; false when the request's record was already built (the caller then sends it on its own).</summary>
    public bool AddOutgoing(RequestRecord record)
    {
        var gate = Gate;
        if (gate == s_closedUnused) return false;
        lock (gate)
        {
            if (_closed) return false;
            (_outgoing ??= []).Add(record);
            return true;
        }
    }

    /// <summary>Takes the errors and outgoing calls (one lock for both) and closes the feature to further ones.</summary>
    public (List<ErrorInfo>? Errors, List<RequestRecord>? Outgoing) Close()
    {
        if (Interlocked.CompareExchange(ref _gate, s_closedUnused, null) is null) return (null, null); // nothing was attached, and now nothing can be
        var gate = _gate;
        if (gate == s_closedUnused) return (null, null);
        lock (gate)
        {
            _closed = true;
            return (_errors, _outgoing);
        }
    }

    private List<Exception>? _seen;

    /// <summary>True the first time an exception object is seen on this request (so a logged and re-thrown exception is recorded once).</summary>
    public bool MarkSeen(Exception exception)
    {
        lock (Gate) // the shared closed lock after Close() when nothing had been attached: correct, merely shared
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
        var gate = Gate;
        if (gate == s_closedUnused) return false;
        lock (gate)
        {
            if (_closed) return false;
            (_errors ??= []).Add(error);
            return true;
        }
    }
}
