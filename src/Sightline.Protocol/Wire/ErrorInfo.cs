namespace Sightline.Protocol.Wire;

/// <summary>An exception recorded on a request.</summary>
public sealed class ErrorInfo
{
    /// <summary>Full type name.</summary>
    public string Type { get; set; } = "";

    /// <summary>Message (capped).</summary>
    public string Message { get; set; } = "";

    /// <summary>Stack trace (capped).</summary>
    public string? StackTrace { get; set; }

    /// <summary>False when the exception escaped the app's code; true when reported or handled.</summary>
    public bool Handled { get; set; }

    /// <summary>How it was seen: <c>unhandled</c>, <c>reported</c>, <c>logged</c> or <c>outgoing</c>.</summary>
    public string? Source { get; set; }

    /// <summary>Stable grouping key: type plus the top frames of the app's own code.</summary>
    public string? Fingerprint { get; set; }

    /// <summary>Inner exceptions (all of them for <see cref="AggregateException"/>), depth-bounded.</summary>
    public List<ErrorInfo>? Inner { get; set; }
}
