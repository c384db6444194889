using Microsoft.Extensions.Options;
using Sightline.Redaction;

namespace Sightline.AspNetCore.Outgoing;

/// <summary>
/// Outgoing-call options compiled once at start-up. Outgoing bodies and headers are redacted with the
/// incoming lists plus the outgoing-only ones (<see cref="SightlineOptions.RedactOutgoingRequestBody"/>,
/// <see cref="SightlineOptions.RedactOutgoingResponseBody"/>, <see cref="SightlineOptions.RedactOutgoingHeaders"/>),
/// so adding an outgoing list can only redact more, never less.
/// </summary>
internal sealed class OutgoingSettings
{
    public OutgoingSettings(IOptions<SightlineOptions> options)
    {
        var o = options.Value;
        CaptureRequestBody = o.CaptureOutgoingRequestBody && o.MaxBodySize > 0;
        CaptureResponseBody = o.CaptureOutgoingResponseBody && o.MaxBodySize > 0;
        RequestRedactor = JsonRedactor.Create([.. o.RedactRequestBody, .. o.RedactOutgoingRequestBody]);
        ResponseRedactor = JsonRedactor.Create([.. o.RedactResponseBody, .. o.RedactOutgoingResponseBody]);
        Headers = new HeaderRedactor([.. o.RedactHeaders, .. o.RedactOutgoingHeaders]);
    }

    public bool CaptureRequestBody { get; }
    public bool CaptureResponseBody { get; }
    public JsonRedactor RequestRedactor { get; }
    public JsonRedactor ResponseRedactor { get; }
    public HeaderRedactor Headers { get; }
}
