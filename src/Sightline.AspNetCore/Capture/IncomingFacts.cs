using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Capture;

/// <summary>What the middleware determined about a sampled request, for <see cref="IncomingRecordWriter"/> (the rest is read from the <c>HttpContext</c>).</summary>
internal readonly struct IncomingFacts
{
    public required Guid Id { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required long DurationNs { get; init; }
    public required string Route { get; init; }
    public required int Status { get; init; }
    public required long RequestSize { get; init; }
    public required long ResponseSize { get; init; }
    public ConsumerInfo? Consumer { get; init; }
    public List<ErrorInfo>? Errors { get; init; }
    public List<ValidationFailure>? ValidationErrors { get; init; }
    public List<RequestRecord>? Outgoing { get; init; }
    /// <summary>The trace id as hex, or null when it is the generated <see cref="RandomTraceHigh"/>/<see cref="RandomTraceLow"/>.</summary>
    public string? TraceId { get; init; }
    public ulong RandomTraceHigh { get; init; }
    public ulong RandomTraceLow { get; init; }

    /// <summary>The span id as hex (from the request's Activity); null: a random one is written.</summary>
    public string? SpanId { get; init; }
    public Utf8Body? RequestBody { get; init; }
    public Utf8Body? ResponseBody { get; init; }
}
